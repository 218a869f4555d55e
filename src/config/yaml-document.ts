import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { UsageError } from "../errors.js";

export type FieldPath = readonly (string | number)[];

/**
 * A parsed YAML file that remembers where each value came from, so that
 * every validation error can name the file, the line and the field.
 */
export class YamlDocument {
  readonly file: string;
  readonly value: unknown;
  readonly #lines: LineCounter;
  readonly #root: Node | null;

  private constructor(file: string, value: unknown, lines: LineCounter, root: Node | null) {
    this.file = file;
    this.value = value;
    this.#lines = lines;
    this.#root = root;
  }

  /** Parses YAML text; a syntax error becomes a UsageError naming file and line. */
  static parse(file: string, text: string): YamlDocument {
    const lines = new LineCounter();
    const document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
    const first = document.errors[0];
    if (first) {
      const line = lines.linePos(first.pos[0]).line;
      const reason = first.message.split("\n")[0];
      throw new UsageError("YAML_SYNTAX", `${file}:${line}: invalid YAML: ${reason}`);
    }
    return new YamlDocument(file, document.toJS(), lines, document.contents as Node | null);
  }

  /** The 1-based line of the value at `path`, or of its nearest present parent. */
  line(path: FieldPath): number {
    let node: Node | null = this.#root;
    let line = node?.range ? this.#lineAt(node.range[0]) : 1;
    for (const segment of path) {
      const next = childOf(node, segment);
      if (!next) break;
      line = this.#lineAt(next.keyOffset ?? next.node?.range?.[0] ?? 0);
      node = next.node;
    }
    return line;
  }

  #lineAt(offset: number): number {
    return this.#lines.linePos(offset).line;
  }
}

interface Child {
  node: Node | null;
  keyOffset: number | undefined;
}

function childOf(node: Node | null, segment: string | number): Child | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => keyText(item.key) === String(segment));
    if (!pair) return undefined;
    const key = pair.key as Node | null;
    return { node: pair.value as Node | null, keyOffset: key?.range?.[0] };
  }
  if (isSeq(node) && typeof segment === "number") {
    const item = node.items[segment] as Node | undefined;
    return item ? { node: item, keyOffset: item.range?.[0] } : undefined;
  }
  return undefined;
}

function keyText(key: unknown): string {
  if (key && typeof key === "object" && "value" in key) return String(key.value);
  return String(key);
}
