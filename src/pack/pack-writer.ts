import { PassThrough, type Readable } from "node:stream";
import { END_OF_ARCHIVE, memberHeader, padding, type TarMember } from "./tar-header.js";

/** Where a member's data sits in the pack. */
export interface MemberPlace {
  /** Byte offset of the first data byte, from the start of the pack. */
  offset: number;
  length: number;
}

/**
 * Writes a tar archive as a stream, recording where each member's data
 * lands. Nothing touches the local disk: the stream feeds the upload.
 */
export class PackWriter {
  readonly #stream = new PassThrough({ highWaterMark: 4 * 1024 * 1024 });
  #position = 0;
  #members = 0;
  #failure: Error | undefined;

  /** The archive's bytes, for the upload to consume. */
  get output(): Readable {
    return this.#stream;
  }

  /** Bytes written so far (the pack's size once finished). */
  get size(): number {
    return this.#position;
  }

  get members(): number {
    return this.#members;
  }

  /** Appends one member; waits while the upload is behind. */
  async add(member: Omit<TarMember, "size">, data: Buffer): Promise<MemberPlace> {
    const header = memberHeader({ ...member, size: data.length });
    const place = { offset: this.#position + header.length, length: data.length };
    await this.#write(header);
    await this.#write(data);
    await this.#write(padding(data.length));
    this.#members++;
    return place;
  }

  /** Ends the archive (two zero blocks) and the stream. */
  async finish(): Promise<void> {
    await this.#write(END_OF_ARCHIVE);
    this.#stream.end();
  }

  /** Breaks the stream so the upload aborts. */
  fail(error: Error): void {
    this.#failure ??= error;
    this.#stream.destroy(error);
  }

  async #write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0) return;
    if (this.#stream.destroyed) throw this.#failure ?? new Error("the pack stream is closed");
    this.#position += chunk.length;
    if (this.#stream.write(chunk)) return;
    // Wait for the upload to catch up, or for the stream to break under us.
    await new Promise<void>((resolve, reject) => {
      const onDrain = () => settle(resolve);
      const onClose = () =>
        settle(() => reject(this.#failure ?? new Error("the pack stream is closed")));
      const settle = (then: () => void) => {
        this.#stream.off("drain", onDrain).off("close", onClose);
        then();
      };
      this.#stream.once("drain", onDrain).once("close", onClose);
    });
  }
}
