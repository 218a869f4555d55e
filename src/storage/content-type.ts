import { extname } from "node:path";

/** Types of the files a weather site serves; anything else is octet-stream. */
const TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".geojson": "application/geo+json",
  ".xml": "application/xml",
  ".kml": "application/vnd.google-earth.kml+xml",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".pdf": "application/pdf",
  ".gz": "application/gzip",
  ".tgz": "application/gzip",
  ".tar": "application/x-tar",
  ".zip": "application/zip",
  ".nc": "application/x-netcdf",
  ".grib": "application/x-grib",
  ".grb": "application/x-grib",
  ".grib2": "application/x-grib",
  ".grb2": "application/x-grib",
  ".mp4": "video/mp4",
};

export function contentTypeOf(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}
