// A diff as a table (field, before, after; a row per entry, by op): a change's diff, an object's history,
// the fields of an object two snapshots compare differently. Paths and values are inert text with
// invisible and direction-changing characters shown as escapes (store/snapshot.ts), long values cut
// with a way to see them whole.
import { useState } from 'react';
import type { DiffEntry } from '../../common/contract.ts';
import { formatCount } from '../../common/format.ts';
import { clip, valueText, visible } from '../store/snapshot.ts';
import { Table } from './Table.tsx';

/** Characters of a value shown before "show all" (compact: in a list of many objects). */
const VALUE_FIRST = 400;
const VALUE_FIRST_COMPACT = 160;

export function DiffTable({
  entries,
  name = 'diff',
  compact = false,
  empty = 'No differences.',
}: {
  entries: readonly DiffEntry[];
  /** data-table */
  name?: string;
  /** smaller, values cut sooner: one of many (the fields of a compared object) */
  compact?: boolean;
  /** what is said when there is no entry */
  empty?: string;
}) {
  if (!entries.length) return <p className="muted">{empty}</p>;
  const first = compact ? VALUE_FIRST_COMPACT : VALUE_FIRST;
  return (
    <Table name={name} className={compact ? 'grid diff compact' : 'grid diff'} cols={['Field', 'Before', 'After']}>
      {entries.map((e, i) => (
        <tr key={i} className={`diff-${e.op}`} data-op={e.op}>
          <td className="wrap">
            <code>{visible(e.path)}</code>
          </td>
          <td className="wrap">{e.op === 'added' ? <None /> : <Value v={e.before} first={first} />}</td>
          <td className="wrap">{e.op === 'removed' ? <None /> : <Value v={e.after} first={first} />}</td>
        </tr>
      ))}
    </Table>
  );
}

const None = () => <span className="muted">(none)</span>;

/** A value as inert text, cut at `first` characters with a toggle. */
function Value({ v, first }: { v: unknown; first: number }) {
  const [whole, setWhole] = useState(false);
  const text = valueText(v);
  const c = clip(text, first);
  return (
    <>
      <code className="value">{whole ? text : c.text}</code>
      {c.clipped && (
        <>
          {' '}
          <button type="button" className="linkish small" aria-expanded={whole} onClick={() => setWhole((x) => !x)}>
            {whole ? 'show less' : `show all (${formatCount(text.length)} characters)`}
          </button>
        </>
      )}
    </>
  );
}
