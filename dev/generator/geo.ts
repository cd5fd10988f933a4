/**
 * US states (50 + DC): 2020 census resident population (thousands), the state-level sales tax
 * rate (base rate, local add-ons ignored; 0 where there is no state sales tax) and a handful of
 * real cities, largest first. Customers are spread over states by population and over a state's
 * cities with weights 1, 1/2, 1/3, ...
 */
export interface StateInfo {
  code: string;
  populationK: number;
  taxRate: number;
  cities: readonly string[];
}

export const US_STATES: readonly StateInfo[] = [
  { code: 'AL', populationK: 5024, taxRate: 0.04, cities: ['Huntsville', 'Birmingham', 'Montgomery', 'Mobile'] },
  { code: 'AK', populationK: 733, taxRate: 0, cities: ['Anchorage', 'Fairbanks', 'Juneau'] },
  { code: 'AZ', populationK: 7152, taxRate: 0.056, cities: ['Phoenix', 'Tucson', 'Mesa', 'Scottsdale'] },
  { code: 'AR', populationK: 3012, taxRate: 0.065, cities: ['Little Rock', 'Fayetteville', 'Fort Smith'] },
  { code: 'CA', populationK: 39538, taxRate: 0.0725, cities: ['Los Angeles', 'San Diego', 'San Jose', 'San Francisco', 'Fresno', 'Sacramento'] },
  { code: 'CO', populationK: 5774, taxRate: 0.029, cities: ['Denver', 'Colorado Springs', 'Aurora', 'Boulder'] },
  { code: 'CT', populationK: 3606, taxRate: 0.0635, cities: ['Bridgeport', 'Stamford', 'New Haven', 'Hartford'] },
  { code: 'DE', populationK: 990, taxRate: 0, cities: ['Wilmington', 'Dover', 'Newark'] },
  { code: 'DC', populationK: 690, taxRate: 0.06, cities: ['Washington'] },
  { code: 'FL', populationK: 21538, taxRate: 0.06, cities: ['Jacksonville', 'Miami', 'Tampa', 'Orlando'] },
  { code: 'GA', populationK: 10712, taxRate: 0.04, cities: ['Atlanta', 'Columbus', 'Augusta', 'Savannah'] },
  { code: 'HI', populationK: 1455, taxRate: 0.04, cities: ['Honolulu', 'Hilo', 'Kailua'] },
  { code: 'ID', populationK: 1839, taxRate: 0.06, cities: ['Boise', 'Meridian', 'Nampa'] },
  { code: 'IL', populationK: 12812, taxRate: 0.0625, cities: ['Chicago', 'Aurora', 'Naperville', 'Springfield'] },
  { code: 'IN', populationK: 6786, taxRate: 0.07, cities: ['Indianapolis', 'Fort Wayne', 'Evansville'] },
  { code: 'IA', populationK: 3190, taxRate: 0.06, cities: ['Des Moines', 'Cedar Rapids', 'Davenport'] },
  { code: 'KS', populationK: 2938, taxRate: 0.065, cities: ['Wichita', 'Overland Park', 'Kansas City', 'Topeka'] },
  { code: 'KY', populationK: 4506, taxRate: 0.06, cities: ['Louisville', 'Lexington', 'Bowling Green'] },
  { code: 'LA', populationK: 4658, taxRate: 0.0445, cities: ['New Orleans', 'Baton Rouge', 'Shreveport'] },
  { code: 'ME', populationK: 1362, taxRate: 0.055, cities: ['Portland', 'Lewiston', 'Bangor'] },
  { code: 'MD', populationK: 6177, taxRate: 0.06, cities: ['Baltimore', 'Columbia', 'Germantown', 'Annapolis'] },
  { code: 'MA', populationK: 7030, taxRate: 0.0625, cities: ['Boston', 'Worcester', 'Springfield', 'Cambridge'] },
  { code: 'MI', populationK: 10077, taxRate: 0.06, cities: ['Detroit', 'Grand Rapids', 'Warren', 'Ann Arbor'] },
  { code: 'MN', populationK: 5706, taxRate: 0.06875, cities: ['Minneapolis', 'Saint Paul', 'Rochester', 'Duluth'] },
  { code: 'MS', populationK: 2961, taxRate: 0.07, cities: ['Jackson', 'Gulfport', 'Southaven'] },
  { code: 'MO', populationK: 6155, taxRate: 0.04225, cities: ['Kansas City', 'St. Louis', 'Springfield', 'Columbia'] },
  { code: 'MT', populationK: 1084, taxRate: 0, cities: ['Billings', 'Missoula', 'Bozeman'] },
  { code: 'NE', populationK: 1962, taxRate: 0.055, cities: ['Omaha', 'Lincoln', 'Bellevue'] },
  { code: 'NV', populationK: 3105, taxRate: 0.0685, cities: ['Las Vegas', 'Henderson', 'Reno'] },
  { code: 'NH', populationK: 1378, taxRate: 0, cities: ['Manchester', 'Nashua', 'Concord'] },
  { code: 'NJ', populationK: 9289, taxRate: 0.06625, cities: ['Newark', 'Jersey City', 'Paterson', 'Trenton'] },
  { code: 'NM', populationK: 2118, taxRate: 0.04875, cities: ['Albuquerque', 'Las Cruces', 'Santa Fe'] },
  { code: 'NY', populationK: 20201, taxRate: 0.04, cities: ['New York', 'Buffalo', 'Yonkers', 'Rochester', 'Syracuse'] },
  { code: 'NC', populationK: 10439, taxRate: 0.0475, cities: ['Charlotte', 'Raleigh', 'Greensboro', 'Durham'] },
  { code: 'ND', populationK: 779, taxRate: 0.05, cities: ['Fargo', 'Bismarck', 'Grand Forks'] },
  { code: 'OH', populationK: 11799, taxRate: 0.0575, cities: ['Columbus', 'Cleveland', 'Cincinnati', 'Toledo'] },
  { code: 'OK', populationK: 3959, taxRate: 0.045, cities: ['Oklahoma City', 'Tulsa', 'Norman'] },
  { code: 'OR', populationK: 4237, taxRate: 0, cities: ['Portland', 'Salem', 'Eugene'] },
  { code: 'PA', populationK: 13003, taxRate: 0.06, cities: ['Philadelphia', 'Pittsburgh', 'Allentown', 'Erie'] },
  { code: 'RI', populationK: 1097, taxRate: 0.07, cities: ['Providence', 'Warwick', 'Cranston'] },
  { code: 'SC', populationK: 5118, taxRate: 0.06, cities: ['Charleston', 'Columbia', 'Greenville'] },
  { code: 'SD', populationK: 887, taxRate: 0.042, cities: ['Sioux Falls', 'Rapid City', 'Aberdeen'] },
  { code: 'TN', populationK: 6911, taxRate: 0.07, cities: ['Nashville', 'Memphis', 'Knoxville', 'Chattanooga'] },
  { code: 'TX', populationK: 29146, taxRate: 0.0625, cities: ['Houston', 'San Antonio', 'Dallas', 'Austin', 'Fort Worth', 'El Paso'] },
  { code: 'UT', populationK: 3272, taxRate: 0.0485, cities: ['Salt Lake City', 'West Valley City', 'Provo'] },
  { code: 'VT', populationK: 643, taxRate: 0.06, cities: ['Burlington', 'South Burlington', 'Rutland'] },
  { code: 'VA', populationK: 8631, taxRate: 0.053, cities: ['Virginia Beach', 'Chesapeake', 'Norfolk', 'Richmond'] },
  { code: 'WA', populationK: 7705, taxRate: 0.065, cities: ['Seattle', 'Spokane', 'Tacoma', 'Vancouver'] },
  { code: 'WV', populationK: 1794, taxRate: 0.06, cities: ['Charleston', 'Huntington', 'Morgantown'] },
  { code: 'WI', populationK: 5894, taxRate: 0.05, cities: ['Milwaukee', 'Madison', 'Green Bay'] },
  { code: 'WY', populationK: 577, taxRate: 0.04, cities: ['Cheyenne', 'Casper', 'Laramie'] },
];
