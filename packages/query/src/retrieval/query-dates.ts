import * as chrono from 'chrono-node';

/** A period a query names: [from, to) in ms since the epoch, and the words that named it. */
export interface DateWindow {
  from: number;
  to: number;
  text: string;
}

const DAY = 86_400_000;
/** Meteorological seasons (northern hemisphere): first month, 0-based; each lasts three months. */
const SEASONS: Record<string, number> = { spring: 2, summer: 5, autumn: 8, fall: 8, winter: 11 };

/**
 * Seasons and bare years, which chrono leaves alone: "last summer", "this winter",
 * "in 2022". Kept as chrono parsers so every date goes through one parser.
 */
function withPeriods(): chrono.Chrono {
  const parser = chrono.en.casual.clone();
  parser.parsers.push({
    pattern: () => /\b(last|this|next|past)\s+(spring|summer|autumn|fall|winter)\b/iu,
    extract: (context, match) => {
      const ref = context.reference.instant;
      const first = SEASONS[match[2]!.toLowerCase()]!;
      const which = match[1]!.toLowerCase();
      // The season that began most recently at or before the reference (winter starts in December).
      let year = ref.getUTCFullYear();
      if (first > ref.getUTCMonth()) year--;
      if (which === 'last' || which === 'past') year--;
      if (which === 'next') year++;
      const result = context.createParsingResult(match.index!, match[0]);
      result.start.assign('year', year);
      result.start.assign('month', first + 1);
      result.start.imply('day', 1);
      result.end = context.createParsingComponents({ year: first + 3 > 11 ? year + 1 : year, month: ((first + 3) % 12) + 1, day: 1 });
      result.addTag('season');
      return result;
    },
  });
  parser.parsers.push({
    pattern: () => /\b(?:in|during|since|of|by)\s+((?:19|20)\d{2})\b/iu,
    extract: (context, match) => {
      const result = context.createParsingResult(match.index!, match[0]);
      result.start.assign('year', Number(match[1]));
      result.start.imply('month', 1);
      result.start.imply('day', 1);
      return result;
    },
  });
  return parser;
}

const parser = withPeriods();

function utcDay(date: Date): number {
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}

/**
 * The dates and periods a text names, read with chrono relative to `asOf`, each as a
 * window: a day, a week ("last week": the seven days around the date chrono gives), a
 * month, a season or a year — whatever the words make certain. Returns the text without
 * those words too. Times are read as UTC.
 *
 * @example findDates('What did she do in May 2023?', new Date()) // one window: 1 May – 1 June 2023
 */
export function findDates(text: string, asOf: Date): { text: string; windows: DateWindow[] } {
  const windows: DateWindow[] = [];
  let rest = text;
  for (const result of parser.parse(text, { instant: asOf, timezone: 0 })) {
    const start = result.start.date();
    let from: number;
    let to: number;
    if (result.end) {
      from = utcDay(start);
      to = result.tags().has('season') ? utcDay(result.end.date()) : utcDay(result.end.date()) + DAY;
    } else if (/\bweeks?\b/iu.test(result.text)) {
      from = utcDay(start) - 3 * DAY;
      to = from + 7 * DAY;
    } else if (result.start.isCertain('day')) {
      from = utcDay(start);
      to = from + DAY;
    } else if (result.start.isCertain('month')) {
      from = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1);
      to = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
    } else if (result.start.isCertain('year')) {
      from = Date.UTC(start.getUTCFullYear(), 0, 1);
      to = Date.UTC(start.getUTCFullYear() + 1, 0, 1);
    } else {
      continue;
    }
    windows.push({ from, to, text: result.text });
    rest = rest.replace(result.text, ' ');
  }
  return { text: rest.replace(/\s+/gu, ' ').trim(), windows };
}
