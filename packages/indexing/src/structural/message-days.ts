import * as chrono from 'chrono-node';

const DAY = 86_400_000;
/** At most this many days per message (a week names seven). */
const MAX_DAYS = 16;
/**
 * Words without which a text names no date: a cheap test that spares the parser most
 * messages (chrono costs about 0.4 ms a message).
 */
const DATE_HINT =
  /\b(?:yesterday|today|tonight|tomorrow|ago|last|next|week(?:end)?s?|month|year|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday|jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|july|august|september|october|november|december|\d{1,2}(?:st|nd|rd|th)?)\b/iu;

function utcDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/**
 * The UTC days a message is about: the day it was sent, and the days its own words
 * name, read with chrono-node against the message's timestamp — "yesterday" said on
 * 3 June 2023 is 2 June, "last week" the seven days around 27 May. Periods longer than a
 * week (a month, a year) are left to the timestamp.
 *
 * @example messageDays('We went there last week', Date.UTC(2023, 5, 3)) // 3 June and 24–30 May 2023
 */
export function messageDays(content: string, timestamp: number): number[] {
  const days = new Set<number>([utcDay(timestamp)]);
  if (!DATE_HINT.test(content)) return [...days];
  for (const result of chrono.en.casual.parse(content, { instant: new Date(timestamp), timezone: 0 })) {
    const start = result.start.date().getTime();
    if (/\bweeks?\b/iu.test(result.text)) {
      for (let d = -3; d <= 3; d++) days.add(utcDay(start) + d * DAY);
    } else if (result.start.isCertain('day')) {
      // A bare weekday ("on Saturday", or "sun" misread as one) is left out: past or future is a guess.
      days.add(utcDay(start));
    }
    if (days.size >= MAX_DAYS) break;
  }
  return [...days].slice(0, MAX_DAYS);
}
