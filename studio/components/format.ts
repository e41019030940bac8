/** Dates rendered the same on the server and in the browser (no locale, no hydration mismatch). */
export const when = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '');
