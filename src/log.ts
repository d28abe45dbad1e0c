// Logging in Redis's line format: "pid:role dd Mon yyyy hh:mm:ss.mmm <level> message".

import * as fs from 'node:fs';

export type Level = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
const ORDER: Record<Level, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARK: Record<Level, string> = { debug: '.', verbose: '-', notice: '*', warning: '#', nothing: ' ' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function timestamp(d: Date): string {
  return (
    `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

export class Logger {
  level: Level = 'notice';
  private fd = 1;
  private path = '';

  setFile(path: string): void {
    if (this.fd !== 1) fs.closeSync(this.fd);
    this.path = path;
    this.fd = path === '' ? 1 : fs.openSync(path, 'a', 0o600);
  }

  get file(): string {
    return this.path;
  }

  enabled(level: Level): boolean {
    return ORDER[level] >= ORDER[this.level] && level !== 'nothing';
  }

  log(level: Level, msg: string): void {
    if (!this.enabled(level)) return;
    // never let a newline from user-controlled text forge a log line
    const clean = msg.replace(/[\r\n]/g, ' ');
    const line = `${process.pid}:M ${timestamp(new Date())} ${MARK[level]} ${clean}\n`;
    try {
      fs.writeSync(this.fd, line);
    } catch {
      // a closed stdout must not take the server down
    }
  }

  debug(msg: string): void {
    this.log('debug', msg);
  }
  verbose(msg: string): void {
    this.log('verbose', msg);
  }
  notice(msg: string): void {
    this.log('notice', msg);
  }
  warning(msg: string): void {
    this.log('warning', msg);
  }
}
