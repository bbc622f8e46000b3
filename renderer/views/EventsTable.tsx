import type { EventDTO } from '../../common/contract.ts';
import { Age } from '../components/common.tsx';
import { Table } from '../components/Table.tsx';

export function EventsTable({ events, now }: { events: EventDTO[]; now: number }) {
  return (
    <Table name="events" cols={['Last seen', 'Type', 'Reason', 'Object', { num: 'Count' }, 'Message']}>
      {events.map((e, i) => (
        <tr key={i} className={e.type === 'Warning' ? 'warn-row' : undefined}>
          <td>
            <Age at={e.last} now={now} />
          </td>
          <td>{e.type}</td>
          <td>{e.reason}</td>
          <td>
            {e.namespace ? `${e.namespace}/` : ''}
            {e.object}
          </td>
          <td className="num">{e.count}</td>
          <td className="wrap">{e.message}</td>
        </tr>
      ))}
    </Table>
  );
}
