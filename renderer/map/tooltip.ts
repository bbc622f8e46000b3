// The fleet map's hover box: what it says about a node or a cluster (pure), and the DOM box that shows
// it beside the pointer, inside the map. Text nodes only: names and messages are never parsed as markup.
import type { ClusterTile } from '../../common/contract.ts';
import { formatPercent } from '../../common/format.ts';
import { clusterCounts, nodeSummary, safeName, statusLine } from './text.ts';

export interface TooltipText {
  title: string;
  sub: string;
  lines: string[];
}

/** The tooltip of a cluster's tile, or of one of its node cells (`nodeIndex`); `at`: the time its statuses speak of. */
export function tooltipText(c: ClusterTile, nodeIndex: number | undefined, now: number, at: number | null): TooltipText {
  const lines: string[] = [];
  const cell = nodeIndex === undefined ? undefined : c.cells[nodeIndex];
  if (cell) {
    const s = nodeSummary(cell);
    lines.push(...s.lines, 'click to open the node');
    return { title: s.name, sub: `${safeName(c.context, 60)} · ${statusLine(c, now, at).text}`, lines };
  }
  if (c.message) lines.push(safeName(c.message, 200));
  lines.push(clusterCounts(c));
  const share = (f: { allocatable: number; requested: number }) => formatPercent(f.allocatable ? f.requested / f.allocatable : null);
  lines.push(`cpu ${share(c.cpu)} · memory ${share(c.memory)} · pods ${share(c.pods)} requested`);
  if (c.gpu.allocatable) lines.push(`accelerators ${c.gpu.requested}/${c.gpu.allocatable} allocated`);
  if (c.pendingPods) lines.push(`${c.pendingPods} pods pending`);
  if (c.storageProblems.total) lines.push(`${c.storageProblems.total} storage/CSI problems (${c.storageProblems.critical} critical)`);
  if (c.forbiddenKinds.length) lines.push(`not permitted: ${firstFour(c.forbiddenKinds)}`);
  if (c.partialKinds.length) lines.push(`only in some namespaces: ${firstFour(c.partialKinds.map((p) => p.kind))}`);
  if (c.computedAt) lines.push(`data as of ${new Date(c.computedAt).toLocaleString()}`);
  const labels = Object.entries(c.labels ?? {});
  if (labels.length) lines.push(safeName(`${c.favourite ? '★ ' : ''}${labels.map(([k, v]) => `${k}=${v}`).join(' ')}`, 200));
  else if (c.favourite) lines.push('★ favourite');
  lines.push('click to open the cluster');
  return { title: safeName(c.context), sub: statusLine(c, now, at).text, lines };
}

const firstFour = (xs: readonly string[]) => `${xs.slice(0, 4).join(', ')}${xs.length > 4 ? '…' : ''}`;

/** The box: shown beside the pointer, flipped to its other side where it would leave the map. */
export class MapTooltip {
  private readonly el: HTMLElement;
  constructor(el: HTMLElement) {
    this.el = el;
  }

  show(text: TooltipText, pointer: { x: number; y: number }, screenW: number, screenH: number): void {
    const kids: HTMLElement[] = [];
    const strong = document.createElement('strong');
    strong.textContent = text.title;
    kids.push(strong);
    const sub = document.createElement('div');
    sub.className = 'sub';
    sub.textContent = text.sub;
    kids.push(sub);
    for (const l of text.lines) {
      const d = document.createElement('div');
      d.textContent = l;
      kids.push(d);
    }
    this.el.replaceChildren(...kids);
    this.el.hidden = false;
    this.place(pointer, screenW, screenH);
  }

  hide(): void {
    this.el.hidden = true;
  }

  /** Follow the pointer (CSS pixels in the map). */
  place(pointer: { x: number; y: number }, screenW: number, screenH: number): void {
    const tip = this.el;
    if (tip.hidden) return;
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    let x = pointer.x + 14;
    let y = pointer.y + 16;
    if (x + w > screenW - 4) x = Math.max(4, pointer.x - 14 - w);
    if (y + h > screenH - 4) y = Math.max(4, pointer.y - 12 - h);
    tip.style.transform = `translate(${Math.round(x)}px, ${Math.round(y)}px)`;
  }
}
