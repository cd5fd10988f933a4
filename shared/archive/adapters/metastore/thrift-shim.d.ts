/**
 * Types for the parts of the `thrift` npm package (CommonJS, ships no types) that the
 * metastore client (rpc.ts) and its tests use: the buffered transport and the binary protocol.
 * The generated client (generated.ts) is typed there.
 */
declare module 'thrift' {
  interface Int64Like {
    toNumber(allowImprecise?: boolean): number;
  }

  class TBufferedTransport {
    constructor(buffer?: Buffer, onFlush?: (msg: Buffer, seqid?: number) => void);
    /** Accumulates incoming bytes and calls `callback` with a readable transport after each chunk. */
    static receiver(callback: (transport: TBufferedTransport, seqid?: number) => void, seqid?: number, maxLength?: number): (data: Buffer) => void;
    commitPosition(): void;
    rollbackPosition(): void;
    flush(): void;
    /** Drops buffered input and output (e.g. the partial bytes of a call that failed to encode). */
    reset(): void;
  }

  class TBinaryProtocol {
    constructor(transport: TBufferedTransport, strictRead?: boolean, strictWrite?: boolean);
    flush(): void;
    writeMessageBegin(name: string, type: number, seqid: number): void;
    writeMessageEnd(): void;
    writeStructBegin(name: string): void;
    writeStructEnd(): void;
    writeFieldBegin(name: string, type: number, id: number): void;
    writeFieldEnd(): void;
    writeFieldStop(): void;
    writeMapBegin(ktype: number, vtype: number, size: number): void;
    writeMapEnd(): void;
    writeListBegin(etype: number, size: number): void;
    writeListEnd(): void;
    writeBool(v: boolean): void;
    writeByte(v: number): void;
    writeI16(v: number): void;
    writeI32(v: number): void;
    writeI64(v: number): void;
    writeDouble(v: number): void;
    writeString(v: string): void;
    readMessageBegin(): { fname: string; mtype: number; rseqid: number };
    readMessageEnd(): void;
    readStructBegin(): unknown;
    readStructEnd(): void;
    readFieldBegin(): { fname: string | null; ftype: number; fid: number };
    readFieldEnd(): void;
    readMapBegin(): { ktype: number; vtype: number; size: number };
    readMapEnd(): void;
    readListBegin(): { etype: number; size: number };
    readListEnd(): void;
    readSetBegin(): { etype: number; size: number };
    readSetEnd(): void;
    readBool(): boolean;
    readByte(): number;
    readI16(): number;
    readI32(): number;
    readI64(): Int64Like;
    readDouble(): number;
    readString(): string;
    skip(type: number): void;
  }

  class InputBufferUnderrunError extends Error {}

  const thrift: {
    TBufferedTransport: typeof TBufferedTransport;
    TBinaryProtocol: typeof TBinaryProtocol;
    InputBufferUnderrunError: typeof InputBufferUnderrunError;
  };
  export default thrift;
  export type { TBufferedTransport, TBinaryProtocol, InputBufferUnderrunError, Int64Like };
}
