import { describeType, isObject, type JsonObject } from '../../json-value';
import { HttpError, type RequestProblem } from './operation-outcome';
import type { ProblemCode } from './problem-codes';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Collects every problem in a JSON body, each with the path of the offending field, then fails once. */
export class BodyChecker {
  private readonly problems: RequestProblem[] = [];

  problem(field: string, message: string, problem: ProblemCode): undefined {
    this.problems.push({ field, message, problem });
    return undefined;
  }

  object(value: unknown, field: string): JsonObject | undefined {
    if (value === undefined) return this.problem(field, 'is required', 'required');
    return isObject(value)
      ? value
      : this.problem(field, `must be a JSON object, got ${describeType(value)}`, 'wrong-type');
  }

  string(value: unknown, field: string): string | undefined {
    if (value === undefined) return this.problem(field, 'is required', 'required');
    if (typeof value !== 'string')
      return this.problem(field, `must be a string, got ${describeType(value)}`, 'wrong-type');
    return value.trim() === '' ? this.problem(field, 'must not be empty', 'empty') : value;
  }

  optionalString(value: unknown, field: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, field);
  }

  uuid(value: unknown, field: string): string | undefined {
    const text = this.string(value, field);
    if (text !== undefined && !UUID.test(text))
      return this.problem(field, `must be a UUID, got "${text.slice(0, 60)}"`, 'not-a-uuid');
    return text;
  }

  absoluteUrl(value: unknown, field: string): string | undefined {
    const text = this.string(value, field);
    if (text === undefined) return undefined;
    try {
      const url = new URL(text);
      if (url.protocol === 'http:' || url.protocol === 'https:') return text;
    } catch {
      // reported below
    }
    return this.problem(field, 'must be an absolute http(s) URL', 'not-an-absolute-url');
  }

  stringArray(value: unknown, field: string): string[] | undefined {
    if (value === undefined) return this.problem(field, 'is required', 'required');
    if (!Array.isArray(value))
      return this.problem(field, `must be an array of strings, got ${describeType(value)}`, 'wrong-type');
    const bad = value.findIndex((item) => typeof item !== 'string' || item.trim() === '');
    if (bad >= 0) return this.problem(`${field}[${bad}]`, 'must be a non-empty string', 'wrong-type');
    return value as string[];
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T | undefined {
    if (value === undefined) return this.problem(field, 'is required', 'required');
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      return this.problem(
        field,
        `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describeType(value)}`,
        'not-an-allowed-value',
      );
    }
    return value as T;
  }

  /** Throws a 400 naming every problem found, if any. */
  finish(): void {
    if (this.problems.length > 0) throw new HttpError(400, this.problems);
  }
}
