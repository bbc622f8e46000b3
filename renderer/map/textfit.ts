// Text measuring for the fleet map's canvas: widths cached per (font, text), names fitted into a width
// with an ellipsis, node names wrapped on cells. Measuring is the costly part of drawing text, so
// answers are cached (the width, fit and wrap caches start over past 20,000 entries each; character
// widths are kept per font).

/** What TextFit measures with: a canvas 2D context (or a test's fake). */
export type TextMeasurer = Pick<CanvasRenderingContext2D, 'font' | 'measureText'>;

/** Measures text once per (font, text); fits names into a width with an ellipsis. */
export class TextFit {
  private readonly widths = new Map<string, number>();
  private readonly fits = new Map<string, string>();
  private readonly wraps = new Map<string, string[]>();
  private readonly ctx: TextMeasurer;
  constructor(ctx: TextMeasurer) {
    this.ctx = ctx;
  }

  width(font: string, s: string): number {
    const k = `${font}\0${s}`;
    let w = this.widths.get(k);
    if (w === undefined) {
      if (this.widths.size > 20_000) this.widths.clear();
      this.ctx.font = font;
      w = this.ctx.measureText(s).width;
      this.widths.set(k, w);
    }
    return w;
  }

  fit(font: string, s: string, max: number): string {
    const m = Math.floor(max);
    const k = `${font}\0${m}\0${s}`;
    let out = this.fits.get(k);
    if (out !== undefined) return out;
    if (this.fits.size > 20_000) this.fits.clear();
    if (m <= 0) out = '';
    else if (this.width(font, s) <= m) out = s;
    else {
      const cps = Array.from(s);
      let lo = 0;
      let hi = cps.length;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.width(font, `${cps.slice(0, mid).join('')}…`) <= m) lo = mid;
        else hi = mid - 1;
      }
      out = lo ? `${cps.slice(0, lo).join('')}…` : '';
    }
    this.fits.set(k, out);
    return out;
  }

  private readonly chars = new Map<string, Map<string, number>>();

  /** Width of one character (cached per font): node names are measured by summing these. */
  private char(font: string, ch: string): number {
    let m = this.chars.get(font);
    if (!m) this.chars.set(font, (m = new Map()));
    let w = m.get(ch);
    if (w === undefined) {
      this.ctx.font = font;
      w = this.ctx.measureText(ch).width;
      m.set(ch, w);
    }
    return w;
  }

  /**
   * Up to `lines` lines of at most `max` pixels, broken after a separator (- . _ : /) where one is in
   * the second half of a line, else anywhere; the last line ellipsised if cut. Widths are sums of
   * character widths (no kerning; 4 % slack): O(length) per name, however many zoom steps.
   */
  wrap(font: string, s: string, max: number, lines: number): string[] {
    const k = `${font}\0${Math.floor(max)}\0${lines}\0${s}`;
    const hit = this.wraps.get(k);
    if (hit) return hit;
    if (this.wraps.size > 20_000) this.wraps.clear();
    const limit = max * 0.96;
    const cps = Array.from(s);
    const ws = cps.map((ch) => this.char(font, ch));
    const ell = this.char(font, '…');
    const out: string[] = [];
    let start = 0;
    while (start < cps.length && out.length < lines) {
      const last = out.length === lines - 1;
      let w = 0;
      let end = start;
      while (end < cps.length && w + ws[end]! <= limit) w += ws[end++]!;
      if (end >= cps.length) {
        out.push(cps.slice(start).join(''));
        start = end;
        break;
      }
      if (last) {
        // cut, with an ellipsis
        while (end > start && w + ell > limit) w -= ws[--end]!;
        out.push(`${cps.slice(start, end).join('')}…`);
        start = cps.length;
        break;
      }
      if (end === start) end = start + 1; // not even one character fits: show it anyway
      for (let j = end - 1; j > start + (end - start) / 2; j--) {
        if ('-._:/'.includes(cps[j]!)) {
          end = j + 1;
          break;
        }
      }
      out.push(cps.slice(start, end).join(''));
      start = end;
    }
    this.wraps.set(k, out);
    return out;
  }
}
