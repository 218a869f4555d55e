import { InvalidArgumentError, Option } from "commander";
import { daysInMonth } from "../policy/path-date.js";

const MOMENT = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `--at DATE`: decide ages as of another moment than now ("what goes at
 * the end of the month?"), and pin the clock for repeatable output.
 */
export function atOption(): Option {
  return new Option(
    "--at <date>",
    "measure ages at this moment instead of now (ISO 8601, UTC unless an offset is given)",
  ).argParser(parseMoment);
}

/** Milliseconds from an ISO 8601 date or date-time; a day the month lacks is refused, not rolled over. */
export function parseMoment(value: string): number {
  const match = MOMENT.exec(value);
  if (!match || !isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3]))) {
    throw refusal();
  }
  const time = match[4] ?? "T00:00";
  const zone = match[7] === undefined ? "Z" : "";
  const millis = Date.parse(`${value.slice(0, 10)}${time}${zone}`);
  if (Number.isNaN(millis)) throw refusal();
  return millis;
}

function isCalendarDay(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function refusal(): InvalidArgumentError {
  return new InvalidArgumentError("expected a date such as 2019-07-31 or 2019-07-31T12:00Z");
}
