// A fleet-wide action from the fleet table's selection: pick the object (kind, namespace, name — names
// suggested by search) and the action; then the confirmation lists each selected cluster: is the
// object there, allowed or not and why. Loaded when first opened (FleetSelect.tsx).
import { useEffect, useId, useState } from 'react';
import type { ActionName, ActionTarget } from '../../../common/contract.ts';
import { getApi } from '../../api/index.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ActionPanel } from './ActionDialog.tsx';
import { BUTTON, FLEET_KINDS, dialogTitle, fleetActionsFor, type ClusterRef } from './actions.ts';
import './operate.css';

/** A Kubernetes name as typed: what the contract accepts (schemas.ts objectName). */
const NAME = /^[A-Za-z0-9][-A-Za-z0-9_.:]*$/;
const isName = (s: string) => NAME.test(s) && s.length <= 253;

/** Pick the object (kind, namespace, name) and the action; then the confirmation across the clusters. */
export function FleetActionDialog({ clusters, onClose }: { clusters: ClusterRef[]; onClose(): void }) {
  const id = useId();
  const namesId = `${id}-names`;
  const [kind, setKind] = useState(FLEET_KINDS[0]!.kind);
  const [namespace, setNamespace] = useState('');
  const [name, setName] = useState('');
  const actions = fleetActionsFor(kind);
  const [action, setAction] = useState<ActionName>('restart');
  const chosenAction = actions.includes(action) ? action : actions[0]!;
  const [target, setTarget] = useState<ActionTarget | null>(null);
  const suggestions = useNameSuggestions(kind, name);
  const nsOk = isName(namespace);
  const nameOk = isName(name);

  if (target)
    return (
      <Dialog
        title={dialogTitle(chosenAction, target.kind, target, clusters.length)}
        onClose={onClose}
        testid="fleet-action-dialog"
        className="wide"
      >
        <ActionPanel req={{ action: chosenAction, target, clusters, locate: true }} onClose={onClose} />
      </Dialog>
    );
  return (
    <Dialog
      title={`Run an action on ${clusters.length} cluster${clusters.length === 1 ? '' : 's'}`}
      onClose={onClose}
      testid="fleet-action-dialog"
    >
      <form
        className="dialog-form"
        data-fleet-action-form
        onSubmit={(e) => {
          e.preventDefault();
          if (nsOk && nameOk) setTarget({ kind, namespace, name });
        }}
      >
        <p className="muted small">
          The action runs on the object of this kind, namespace and name in each selected cluster that has it. Next, each cluster is looked
          at and checked, and you confirm the list.
        </p>
        <div className="field-grid">
          <label htmlFor={`${id}-kind`}>Kind</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value)} data-field="kind">
            {FLEET_KINDS.map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
          <NameField id={`${id}-ns`} field="namespace" label="Namespace" value={namespace} onChange={setNamespace} placeholder="web" />
          <NameField id={`${id}-name`} field="name" label="Name" value={name} onChange={setName} placeholder="frontend" list={namesId} />
          <datalist id={namesId}>
            {suggestions
              .filter((h) => !namespace || h.namespace === namespace)
              .map((h) => (
                <option key={`${h.namespace}/${h.name}`} value={h.name}>
                  {h.namespace}
                </option>
              ))}
          </datalist>
          <label htmlFor={`${id}-action`}>Action</label>
          <select id={`${id}-action`} value={chosenAction} onChange={(e) => setAction(e.target.value as ActionName)} data-field="action">
            {actions.map((a) => (
              <option key={a} value={a}>
                {BUTTON[a].replace('…', '')}
              </option>
            ))}
          </select>
        </div>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!nsOk || !nameOk} data-fleet-action-continue>
            Find it in {clusters.length} cluster{clusters.length === 1 ? '' : 's'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A label and a name's field (data-field=<field>): trimmed as typed, invalid once typed and not a name. */
function NameField(p: {
  id: string;
  field: string;
  label: string;
  value: string;
  onChange(v: string): void;
  placeholder: string;
  list?: string;
}) {
  return (
    <>
      <label htmlFor={p.id}>{p.label}</label>
      <input
        id={p.id}
        value={p.value}
        onChange={(e) => p.onChange(e.target.value.trim())}
        placeholder={p.placeholder}
        spellCheck={false}
        list={p.list}
        aria-invalid={p.value !== '' && !isName(p.value)}
        data-field={p.field}
      />
    </>
  );
}

/** Names of this kind that search finds for what is typed (a few, for the field's suggestions). */
function useNameSuggestions(kind: string, typed: string): { namespace: string; name: string }[] {
  const [hits, setHits] = useState<{ namespace: string; name: string }[]>([]);
  useEffect(() => {
    if (typed.length < 2) {
      setHits([]);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      getApi()
        .call('search', { q: typed, limit: 100 })
        .then(
          (list) => {
            if (!live) return;
            const seen = new Set<string>();
            setHits(
              list
                .filter((h) => h.kind === kind)
                .filter((h) => {
                  const k = `${h.namespace}/${h.name}`;
                  if (seen.has(k)) return false;
                  seen.add(k);
                  return true;
                })
                .slice(0, 20),
            );
          },
          () => live && setHits([]),
        );
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [kind, typed]);
  return hits;
}
