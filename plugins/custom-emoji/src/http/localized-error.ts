/**
 * Errors whose message exists in every console language. Services throw them in English terms;
 * routes re-throw them in the caller's language (`inLocale`), so the kernel's error handler renders
 * the usual `{ statusCode, code, message, field? }`.
 */
import { AppError } from '../../../../core/http/errors.ts';
import type { Locale, LocalizedText } from '../../../../core/i18n.ts';

export class LocalizedError extends AppError {
  constructor(
    statusCode: number,
    code: string,
    readonly text: LocalizedText,
    field?: string,
  ) {
    super(statusCode, code, text.en, field);
  }

  inLocale(locale: Locale): AppError {
    return new AppError(this.statusCode, this.code, this.text[locale], this.field);
  }
}

/** Runs a route body, translating any LocalizedError it throws. */
export async function localized<T>(locale: Locale, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw err instanceof LocalizedError ? err.inLocale(locale) : err;
  }
}
