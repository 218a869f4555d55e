import type { Member } from "./read-plan.js";

/** Where one member's bytes go: a file being restored, or a hash being checked. */
export interface MemberSink {
  write(chunk: Buffer): Promise<void>;
  /** All bytes were given: check them and make the result final. */
  finish(): Promise<void>;
  /** The read ended early or the sink failed: drop what was written. */
  abandon(): Promise<void>;
}

export interface CutHandlers {
  /** A sink for a member about to receive its first byte; undefined skips it. */
  open(member: Member): Promise<MemberSink | undefined>;
  /** A member whose sink failed (or refused its bytes at finish()). */
  failed(member: Member, error: unknown): void;
  /** A member whose sink finished. */
  done(member: Member): void;
}

/**
 * Streams one GET through and cuts it at member offsets: each member's
 * bytes go to its own sink, the bytes between members are skipped. Memory
 * is one chunk. `start` is the object offset of the body's first byte.
 * Returns the members not reached because the body ended early or failed
 * (a dropped connection, a truncated object), with the error if any: the
 * caller may read them again.
 */
export async function cutSpan(
  body: AsyncIterable<Buffer>,
  start: number,
  members: readonly Member[],
  handlers: CutHandlers,
): Promise<{ unreached: Member[]; error?: unknown }> {
  let position = start;
  let index = 0;
  let sink: MemberSink | undefined;
  let dead = false;
  const settle = async (member: Member, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      dead = true;
      await sink?.abandon().catch(() => {});
      handlers.failed(member, error);
    }
  };
  try {
    for await (const chunk of body) {
      const chunkEnd = position + chunk.length;
      while (index < members.length) {
        const member = members[index]!;
        const memberEnd = member.offset + member.length;
        if (member.offset >= chunkEnd) break;
        if (memberEnd > position) {
          if (!sink && !dead) {
            await settle(member, async () => {
              sink = await handlers.open(member);
            });
          }
          const from = Math.max(member.offset, position) - position;
          const to = Math.min(memberEnd, chunkEnd) - position;
          if (sink && !dead) await settle(member, () => sink!.write(chunk.subarray(from, to)));
        }
        if (memberEnd > chunkEnd) break;
        if (sink && !dead) {
          await settle(member, () => sink!.finish().then(() => handlers.done(member)));
        }
        sink = undefined;
        dead = false;
        index++;
      }
      // No break when every member is done: the rest of the body (normally
      // nothing) is drained so that the keep-alive socket can be reused.
      position = chunkEnd;
    }
  } catch (error) {
    return { unreached: members.slice(index), error };
  } finally {
    // A member half written when the body failed or ended is dropped, never left half-made.
    if (sink) await sink.abandon().catch(() => {});
  }
  return { unreached: members.slice(index) };
}
