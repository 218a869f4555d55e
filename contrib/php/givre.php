<?php
/**
 * givre helper for PHP: one file, no Composer, no curl extension.
 *
 *     require '/opt/givre/current/contrib/php/givre.php';
 *     $givre = new \Givre\Client('http://127.0.0.1:8470');
 *     $givre->exists('/data/radar/2019/06/01/img.png');   // true when givre can serve it
 *     $givre->stat('/data/radar/...');     // size, mtime, state... or null
 *     $fp = $givre->open('/data/radar/...'); // a read stream of the bytes
 *     $givre->send('/data/radar/...');     // let NGINX send it (X-Accel-Redirect)
 *
 * Paths are URL paths as the browser asks NGINX for them (one of
 * serve.prefixes, percent-encoded or not). Every call waits at most
 * `timeout` seconds. When givre cannot be reached or answers what it never
 * should, a \Givre\Unavailable exception says so: a page can then answer
 * 503 instead of claiming the file does not exist.
 */

declare(strict_types=1);

namespace Givre;

/** givre did not answer in time, or answered with an error of its own. */
final class Unavailable extends \RuntimeException
{
}

/** The file cannot be read: not archived (404), cold (503), refused path (400). */
final class NotReadable extends \RuntimeException
{
}

final class Client
{
    private string $baseUrl;
    private float $timeout;

    /**
     * @param string $baseUrl givre serve's address (serve.listen), loopback by default
     * @param float $timeout seconds to wait for a lookup; keep it short on a web page
     */
    public function __construct(string $baseUrl = 'http://127.0.0.1:8470', float $timeout = 2.0)
    {
        $this->baseUrl = rtrim($baseUrl, '/');
        $this->timeout = $timeout;
    }

    /**
     * What the catalog says about a file (state, size, mtime, sha256, key,
     * storageClass, served, cold, pack...), or null when it holds nothing
     * for this path.
     */
    public function resolve(string $urlPath): ?array
    {
        [$status, , $body] = $this->request('/v1/files' . self::encodePath($urlPath));
        if ($status === 404) {
            return null;
        }
        if ($status === 400) {
            throw new NotReadable("givre refused the path $urlPath: $body", 400);
        }
        if ($status !== 200) {
            throw new Unavailable("givre answered $status for $urlPath", $status);
        }
        $file = json_decode($body, true);
        if (!is_array($file)) {
            throw new Unavailable("givre answered something that is not JSON for $urlPath");
        }
        return $file;
    }

    /** True when givre serves this file now (archived, not in a cold class). */
    public function exists(string $urlPath): bool
    {
        $file = $this->resolve($urlPath);
        return $file !== null && $file['served'] && !$file['cold'];
    }

    /**
     * Like PHP's stat() for an archived file: size, mtime (seconds), state,
     * sha256, and whether it can be read now. Null when not in the catalog.
     */
    public function stat(string $urlPath): ?array
    {
        $file = $this->resolve($urlPath);
        if ($file === null) {
            return null;
        }
        return [
            'size' => $file['size'],
            'mtime' => intdiv((int) $file['mtimeMs'], 1000),
            'state' => $file['state'],
            'sha256' => $file['sha256'],
            'readable' => $file['served'] && !$file['cold'],
        ];
    }

    /**
     * A read stream of the file's bytes, streamed by givre (/fetch).
     * @return resource
     */
    public function open(string $urlPath)
    {
        $url = $this->baseUrl . '/fetch' . self::encodePath($urlPath);
        $stream = @fopen($url, 'rb', false, $this->context());
        if ($stream === false) {
            throw new Unavailable("givre unreachable at {$this->baseUrl} for $urlPath");
        }
        $status = self::statusOf(stream_get_meta_data($stream)['wrapper_data'] ?? []);
        if ($status === 200) {
            return $stream;
        }
        fclose($stream);
        if (in_array($status, [400, 404, 503], true)) {
            throw new NotReadable("givre cannot give $urlPath (HTTP $status)", $status);
        }
        throw new Unavailable("givre answered $status for $urlPath", $status);
    }

    /**
     * Lets NGINX send the file: an X-Accel-Redirect to the file's own URL,
     * which NGINX serves from disk or, once archived, through givre (the
     * try_files snippets in contrib/nginx). Call before any output.
     */
    public function send(string $urlPath): void
    {
        header('X-Accel-Redirect: ' . self::encodePath($urlPath));
    }

    /** @return array{0: int, 1: array, 2: string} status, header lines, body */
    private function request(string $path): array
    {
        $body = @file_get_contents($this->baseUrl . $path, false, $this->context());
        $headers = function_exists('http_get_last_response_headers')
            ? (http_get_last_response_headers() ?? [])
            : ($http_response_header ?? []);
        if ($body === false || $headers === []) {
            throw new Unavailable("givre unreachable at {$this->baseUrl} (timeout {$this->timeout} s)");
        }
        return [self::statusOf($headers), $headers, $body];
    }

    /** @return resource */
    private function context()
    {
        return stream_context_create([
            'http' => [
                'timeout' => $this->timeout,
                'ignore_errors' => true,
                'follow_location' => 0,
                'header' => "Connection: close\r\n",
            ],
        ]);
    }

    private static function statusOf(array $headers): int
    {
        $status = 0;
        foreach ($headers as $line) {
            if (preg_match('#^HTTP/\S+\s+(\d{3})#', (string) $line, $m)) {
                $status = (int) $m[1];
            }
        }
        return $status;
    }

    /** Encodes each segment unless the path already is (a browser's REQUEST_URI). */
    private static function encodePath(string $urlPath): string
    {
        $path = explode('?', $urlPath, 2)[0];
        if (preg_match('/%[0-9A-Fa-f]{2}/', $path)) {
            return $path;
        }
        return implode('/', array_map('rawurlencode', explode('/', $path)));
    }
}
