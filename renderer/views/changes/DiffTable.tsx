// The diff of a change: the object view's table (field, before, after; rows by op), values as inert
// text with invisible and direction-changing characters shown as escapes (store/snapshot.ts), long
// values cut with a way to see them whole.
import { useState } from 'react';
import type { DiffDTO } from '../../../common/contract.ts';
import { formatCount } from '../../../common/format.ts';
import { clip, valueText, visible } from '../../store/snapshot.ts';
import { Table } from '../../components/Table.tsx';

const VALUE_FIRST = 400;

export function DiffTable({ diff }: { diff: DiffDTO }) {
  if (!diff.entries.length) return <p className="muted">No differences in the recorded state.</p>;
  return (
    <Table name="diff" className="grid diff" cols={['Field', 'Before', 'After']}>
      {diff.entries.map((e, i) => (
        <tr key={i} className={`diff-${e.op}`} data-op={e.op}>
          <td className="wrap">
            <code>{visible(e.path)}</code>
          </td>
          <td className="wrap">{e.op === 'added' ? '' : <Value v={e.before} />}</td>
          <td className="wrap">{e.op === 'removed' ? '' : <Value v={e.after} />}</td>
        </tr>
      ))}
    </Table>
  );
}

function Value({ v }: { v: unknown }) {
  const [whole, setWhole] = useState(false);
  const text = valueText(v);
  const c = clip(text, VALUE_FIRST);
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
