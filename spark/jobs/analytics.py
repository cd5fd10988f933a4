"""OrderPulse batch analytics on Spark (submitted over REST by shared/analytics/adapters/spark-engine.ts).

One argument: base64 of a JSON document the engine builds (nothing here restates the project's SQL,
columns or types; they all come from the TypeScript side):
  run_id        id of this run; the results document's _id
  queries       {name: SQL} over the relations hot_orders and archived_orders (shared/analytics/queries.ts)
  columns       the analytics column names (ANALYTICS_COLUMNS)
  hot_schema    Spark DDL schema of those columns (columnsDdl(SPARK_TYPES))
  mongo         {url, db, collection, partitioner, partitioner_options}: the hot store
  archive       {kind: "hive", database, table} | {kind: "parquet", path} | {kind: "none"}
  results       {db, collection}: where the rows go, one document {_id: run_id, ok, results | error}

The engine reads the results document with the MongoDB driver and deletes it.
"""
import base64
import json
import sys
import traceback
from decimal import Decimal

from pyspark import StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql.types import StringType, StructField, StructType


def parse_args(argv):
    if len(argv) < 2:
        raise SystemExit("usage: analytics.py <base64 JSON job spec>")
    return json.loads(base64.b64decode(argv[-1]).decode("utf-8"))


def read_hot(spark, spec):
    m = spec["mongo"]
    reader = (
        spark.read.format("mongodb")
        .schema(spec["hot_schema"])
        .option("connection.uri", m["url"])
        .option("database", m["db"])
        .option("collection", m["collection"])
        .option("partitioner", m["partitioner"])
    )
    for k, v in (m.get("partitioner_options") or {}).items():
        reader = reader.option("partitioner.options." + k, str(v))
    return reader.load().select(*spec["columns"])


def empty_archive(spark, spec):
    return spark.createDataFrame([], spec["hot_schema"])


def read_archive(spark, spec):
    a = spec["archive"]
    cols = spec["columns"]
    if a["kind"] == "hive":
        name = "`%s`.`%s`" % (a["database"], a["table"])
        if not spark.catalog.tableExists("%s.%s" % (a["database"], a["table"])):
            return empty_archive(spark, spec)
        return spark.table(name).select(*cols)
    if a["kind"] == "parquet":
        try:
            df = spark.read.option("pathGlobFilter", "*.parquet").parquet(a["path"])
        except Exception as e:  # an archive nothing was moved to yet has no directory
            if "PATH_NOT_FOUND" in str(e) or "Path does not exist" in str(e) or "UNABLE_TO_INFER_SCHEMA" in str(e):
                return empty_archive(spark, spec)
            raise
        return df.select(*cols)
    return empty_archive(spark, spec)


def plain(v):
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (int, float, str)) or v is None:
        return v
    return str(v)


def write_doc(spark, spec, doc):
    r = spec["results"]
    schema = StructType([StructField("_id", StringType(), False), StructField("body", StringType(), False)])
    df = spark.createDataFrame([(spec["run_id"], json.dumps(doc))], schema)
    (
        df.write.format("mongodb")
        .mode("append")
        .option("connection.uri", spec["mongo"]["url"])
        .option("database", r["db"])
        .option("collection", r["collection"])
        .save()
    )


def main():
    spec = parse_args(sys.argv)
    builder = SparkSession.builder.appName("orderpulse-analytics-" + spec["run_id"])
    if spec["archive"]["kind"] == "hive":
        builder = builder.enableHiveSupport()
    spark = builder.getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    try:
        spark.sparkContext.setLogLevel("WARN")
        # Every query reads both relations (some twice): read each source once per run.
        for name, df in (("hot_orders", read_hot(spark, spec)), ("archived_orders", read_archive(spark, spec))):
            df = df.persist(StorageLevel.MEMORY_AND_DISK)
            df.count()
            df.createOrReplaceTempView(name)
        results = {}
        for name, sql in spec["queries"].items():
            rows = spark.sql(sql).collect()
            results[name] = [{k: plain(v) for k, v in row.asDict().items()} for row in rows]
        write_doc(spark, spec, {"ok": True, "results": results})
    except Exception as e:
        message = "%s: %s" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")
        print("orderpulse analytics failed: " + message, file=sys.stderr)
        traceback.print_exc()
        try:
            write_doc(spark, spec, {"ok": False, "error": str(e)[:4000]})
        except Exception:
            traceback.print_exc()
        spark.stop()
        sys.exit(1)
    spark.stop()


if __name__ == "__main__":
    main()
