import { InvalidArgumentError, Option } from "commander";

/**
 * `--at DATE`: decide ages as of another moment than now ("what goes at
 * the end of the month?"), and pin the clock for repeatable output.
 */
export function atOption(): Option {
  return new Option(
    "--at <date>",
    "measure ages at this moment instead of now (ISO 8601, UTC)",
  ).argParser(parseMoment);
}

function parseMoment(value: string): number {
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
  const millis = iso.test(value)
    ? Date.parse(/T.*(Z|[+-]\d)/.test(value) ? value : `${value}Z`)
    : NaN;
  if (Number.isNaN(millis)) {
    throw new InvalidArgumentError("expected a date such as 2019-07-31 or 2019-07-31T12:00Z");
  }
  return millis;
}
