import type { EventDTO } from '../../common/contract.ts';
import { Age } from '../components/common.tsx';

export function EventsTable({ events, now }: { events: EventDTO[]; now: number }) {
  return (
    <table className="grid" data-table="events">
      <thead>
        <tr>
          <th scope="col">Last seen</th>
          <th scope="col">Type</th>
          <th scope="col">Reason</th>
          <th scope="col">Object</th>
          <th scope="col" className="num">
            Count
          </th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
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
      </tbody>
    </table>
  );
}
