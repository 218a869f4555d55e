import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startNginx, type NginxServer } from "../services/nginx.js";

/** The shipped snippets, included by path: what the tests run is what ships. */
export const SNIPPETS = resolve(dirname(fileURLToPath(import.meta.url)), "../../contrib/nginx");

export type SnippetName = "givre-fallback.conf" | "givre-auth.conf" | "givre-redirect.conf";

/**
 * NGINX serving `dataParent` for the URL prefix /data/ with try_files,
 * falling back to givre through one shipped snippet. The shipped upstream
 * block is used with givre's test port in place of 8470.
 */
export function startNginxWithSnippet(
  snippet: SnippetName,
  dataParent: string,
  givrePort: number,
): Promise<NginxServer> {
  const upstream = readFileSync(join(SNIPPETS, "givre-upstream.conf"), "utf8");
  const http = upstream.replace("127.0.0.1:8470", `127.0.0.1:${givrePort}`);
  const server = `
    location /data/ {
      root ${dataParent};
      try_files $uri @givre;
    }
    include ${join(SNIPPETS, snippet)};`;
  return startNginx(server, http);
}
