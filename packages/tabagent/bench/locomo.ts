// LoCoMo (../shared/data/dialogue-locomo/locomo10.zip) read for the memory benchmark:
// ten two-person conversations of dated sessions, and their questions with evidence
// turn ids. Only the benchmark reads it; nothing in the product is derived from it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { SHARED_DATA } from '../../../tools/shared-data.js';

export const LOCOMO_ZIP = join(SHARED_DATA, 'dialogue-locomo/locomo10.zip');

export interface LocomoTurn {
  /** `D<session>:<turn>`, what the questions' evidence names. */
  diaId: string;
  speaker: string;
  /** The text, with the shared image's caption appended as `[image: …]` when there is one. */
  content: string;
}

export interface LocomoSession {
  /** As written in the data, e.g. `1:56 pm on 8 May, 2023`. */
  dateTime: string;
  timestamp: number;
  turns: LocomoTurn[];
}

export interface LocomoQuestion {
  question: string;
  category: 1 | 2 | 3 | 4;
  evidence: string[];
}

export interface LocomoConversation {
  id: string;
  sessions: LocomoSession[];
  questions: LocomoQuestion[];
}

/** The entries of a zip archive (stored or deflated), by name. */
function unzip(bytes: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  // End of central directory: the last PK\5\6 record.
  let eocd = bytes.length - 22;
  while (eocd >= 0 && bytes.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('locomo: not a zip archive');
  const count = bytes.readUInt16LE(eocd + 10);
  let at = bytes.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = bytes.readUInt16LE(at + 10);
    const size = bytes.readUInt32LE(at + 20);
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const local = bytes.readUInt32LE(at + 42);
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    const dataAt = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = bytes.subarray(dataAt, dataAt + size);
    if (!name.endsWith('/')) files.set(name, method === 0 ? data : inflateRawSync(data));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** `1:56 pm on 8 May, 2023` → ms since the epoch (read as UTC). */
export function parseSessionDate(text: string): number {
  const match = /^(\d{1,2}):(\d{2})\s*(am|pm)\s+on\s+(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})$/iu.exec(text.trim());
  if (match === null) throw new Error(`locomo: unexpected session date ${JSON.stringify(text)}`);
  const [, h, m, ampm, day, month, year] = match as unknown as [string, string, string, string, string, string, string];
  const monthIndex = MONTHS.indexOf(month.toLowerCase());
  if (monthIndex < 0) throw new Error(`locomo: unknown month in ${JSON.stringify(text)}`);
  const hour = (Number(h) % 12) + (ampm.toLowerCase() === 'pm' ? 12 : 0);
  return Date.UTC(Number(year), monthIndex, Number(day), hour, Number(m));
}

/** The conversations, or undefined when the data set is absent. */
export function loadLocomo(): LocomoConversation[] | undefined {
  if (!existsSync(LOCOMO_ZIP)) return undefined;
  const conversations: LocomoConversation[] = [];
  for (const [name, bytes] of [...unzip(readFileSync(LOCOMO_ZIP))].sort(([a], [b]) => a.localeCompare(b))) {
    if (!name.endsWith('.json')) continue;
    const raw = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    const sessions: LocomoSession[] = [];
    for (let n = 1; Array.isArray(raw[`session_${n}`]); n++) {
      const dateTime = String(raw[`session_${n}_date_time`]);
      const turns = (raw[`session_${n}`] as { speaker: string; dia_id: string; text: string; blip_caption?: string }[]).map((t) => ({
        diaId: t.dia_id,
        speaker: t.speaker,
        content: t.blip_caption ? `${t.text} [image: ${t.blip_caption}]` : t.text,
      }));
      sessions.push({ dateTime, timestamp: parseSessionDate(dateTime), turns });
    }
    const questions: LocomoQuestion[] = [];
    for (const qa of raw['qa'] as { question: string; category: number; evidence?: string[] }[]) {
      if (qa.category < 1 || qa.category > 4) continue;
      // A few evidence entries hold several ids ("D8:6; D9:17"): split them.
      const evidence = [...new Set((qa.evidence ?? []).flatMap((e) => e.match(/D\d+:\d+/gu) ?? []))];
      if (evidence.length === 0) continue;
      questions.push({ question: qa.question, category: qa.category as 1 | 2 | 3 | 4, evidence });
    }
    conversations.push({ id: name.replace(/^.*\/|\.json$/gu, ''), sessions, questions });
  }
  return conversations;
}
