/**
 * Structured JSON logs, one line per event, with call and conference correlation fields. Phone numbers are
 * masked at info level and secrets are never passed in.
 */
import { CONFIG_DEFAULTS } from './config/defaults';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A log line's fields. Values must be JSON-serialisable. */
export type LogFields = Record<string, unknown>;

/** Where log lines go; console.log in Lambda (CloudWatch), a collector in tests. */
export type LogSink = (line: string) => void;

/** Masks a phone number so logs can correlate calls without holding personal data: +1555***4567. */
export function maskPhone(value: string): string {
  if (/^\+\d{7,15}$/.test(value)) return `${value.slice(0, 4)}***${value.slice(-4)}`;
  if (/^(sip|client):/i.test(value)) return `${value.split(':')[0]}:***`;
  return value;
}

/** A small structured logger bound to correlation fields. */
export class Logger {
  constructor(
    private readonly sink: LogSink = (line) => console.log(line),
    private readonly level: LogLevel = 'info',
    private readonly bound: LogFields = {},
  ) {}

  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger {
    return new Logger(this.sink, this.level, { ...this.bound, ...fields });
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    if (ORDER[level] < ORDER[this.level]) return;
    this.sink(JSON.stringify({ level, time: new Date().toISOString(), message, ...this.bound, ...fields }));
  }
}

/** Parses LOG_LEVEL; unset or unknown: the stack's default level. */
export function logLevelFrom(value: string | undefined): LogLevel {
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error'
    ? value
    : CONFIG_DEFAULTS.logLevel;
}

let root: Logger | undefined;

/** The container's root logger (level from LOG_LEVEL), created on first use. */
export function rootLogger(): Logger {
  root ??= new Logger(undefined, logLevelFrom(process.env.LOG_LEVEL));
  return root;
}
