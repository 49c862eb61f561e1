// Protocol parameters as the chain under test has them, so that no test copies a number
// from the runtime's source (docs/architecture.md, "Where the numbers live"):
// - dynamic parameters (runtime/src/configs/parameters.rs: worker fee, data and treasury
//   shares, slashes, replica limit, era length, review window, rejection penalty), which
//   governance changes with `parameters.setParameter`: `parameters.parameters(key)` holds a
//   value once one is set, and while none is the runtime uses its declared default;
// - runtime constants (runtime/src/configs/*.rs: bonds, deposits, windows, tracks, …),
//   read from the metadata as `api.consts.<pallet>.<name>`.
//
// Shares are `Permill`s, returned as parts per million; `mulFloor` and `mulCeil` apply one
// to an amount the way the runtime does.

/** One million: a `Permill`'s parts in the whole. */
export const PPM = 1_000_000n;

/** `share` (parts per million) of `amount`, rounded down: sp-arithmetic's `mul_floor`. */
export const mulFloor = (share, amount) => amount * share / PPM;

/** `share` (parts per million) of `amount`, rounded up: sp-arithmetic's `mul_ceil`. */
export const mulCeil = (share, amount) => (amount * share + PPM - 1n) / PPM;

/**
 * The dynamic parameters, by `RuntimeParameters` group and key, with the pallet whose
 * metadata constant of the same name reads them.
 */
const DYNAMIC = {
  Jobs: { pallet: 'ComputeJobs', keys: ['WorkerFee', 'DataShare', 'TreasuryShare', 'DisagreeSlash', 'NoShowSlash', 'ReplicaLimit'] },
  Data: { pallet: 'DataRewards', keys: ['EraLength', 'ReviewWindow', 'RejectionPenalty'] }
};

const camel = (name) => name[0].toLowerCase() + name.slice(1);

/**
 * Every dynamic protocol parameter in force at block `at` (default: the best block), as
 * bigints: { workerFee, dataShare, treasuryShare, disagreeSlash, noShowSlash, replicaLimit,
 * eraLength, reviewWindow, rejectionPenalty }. A stored value wins; an unset parameter has
 * its default, which is what the consuming pallet's metadata constant evaluates to at a
 * block where nothing is stored (the metadata is fetched at `at` for that, not taken from
 * the client's copy, which may predate a change).
 */
export async function protocolParameters (api, at) {
  const hash = at ?? await api.rpc.chain.getBlockHash();
  const stored = new Map();
  for (const [, value] of await (await api.at(hash)).query.parameters.parameters.entries()) {
    if (value.isNone) continue;
    const group = value.unwrap(); // e.g. Jobs(WorkerFee(1_000_000_000))
    stored.set(`${group.type}.${group.value.type}`, group.value.value.toBigInt());
  }
  let defaults;
  const values = {};
  for (const [group, { pallet, keys }] of Object.entries(DYNAMIC)) {
    for (const key of keys) {
      let value = stored.get(`${group}.${key}`);
      if (value === undefined) {
        defaults ??= await api.rpc.state.getMetadata(hash);
        value = constantOf(api, defaults, pallet, key);
      }
      values[camel(key)] = value;
    }
  }
  return values;
}

/**
 * Constant `name` of `pallet` in `metadata` (fetched at some block, so as the runtime
 * evaluated it there), decoded as the client's own copy of that constant is.
 */
function constantOf (api, metadata, pallet, name) {
  const constant = metadata.asLatest.pallets.find((p) => p.name.toString() === pallet)
    ?.constants.find((c) => c.name.toString() === name);
  if (!constant) throw new Error(`no constant ${pallet}.${name} in the metadata`);
  return api.createType(api.consts[camel(pallet)][camel(name)].toRawType(), constant.value).toBigInt();
}

/** The referendum track named `name` (e.g. 'curator') from `api.consts.referenda.tracks`. */
export function track (api, name) {
  const found = api.consts.referenda.tracks.find(([, info]) => info.name.toString().replace(/\0+$/, '') === name);
  if (!found) throw new Error(`no referendum track named ${name}`);
  return found[1];
}
