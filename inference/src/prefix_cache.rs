//! Keys and values of recent prompts, so that a prompt starting like one run before skips
//! the positions they share. Chat prompts share a lot: every job without a system message
//! gets the template's default one (with the user turn's opening, 24 of the 37 tokens of
//! "What is the capital of France?" for SmolLM2), and a dApp sends the same system
//! message with every request.
//!
//! A position's keys and values depend only on the tokens up to it, and every step of a
//! pass computes each position in the same order whatever else runs with it, so starting
//! from remembered positions gives the same bits as running the whole prompt: the cache
//! changes no token, margin or piece of evidence, only time (tested in
//! `tests/smollm.rs`). Generator and verifiers each keep their own.

use crate::llama::KvCache;
use std::sync::{Arc, Mutex};

/// What a [`crate::generation::TextGenerator`] keeps by default: 64 MiB, about 1,400
/// positions of SmolLM2-135M (46 KiB each).
pub const DEFAULT_PREFIX_CACHE_BYTES: usize = 64 << 20;

/// Entries kept at most, whatever their size (each lookup scans them all).
pub const MAX_PREFIX_ENTRIES: usize = 64;

/// Recently run token sequences with their keys and values, least recently used first out.
pub struct PrefixCache {
	/// Bytes of keys and values kept at most; 0 keeps nothing.
	capacity: usize,
	state: Mutex<State>,
}

#[derive(Default)]
struct State {
	entries: Vec<Entry>,
	/// Counts uses, to find the least recently used entry.
	clock: u64,
	/// Positions taken from the cache instead of run, over this cache's life.
	reused: u64,
}

struct Entry {
	tokens: Vec<u32>,
	/// Shared, so that copies out of it are made without holding the lock.
	cache: Arc<KvCache>,
	used: u64,
}

impl PrefixCache {
	/// A cache keeping at most `capacity` bytes of keys and values.
	pub fn new(capacity: usize) -> Self {
		Self { capacity, state: Mutex::new(State::default()) }
	}

	/// The keys and values of the longest remembered prefix of `tokens`, short of the last
	/// token (which must run to give logits); an empty cache when nothing matches.
	pub fn start(&self, tokens: &[u32]) -> KvCache {
		let limit = tokens.len().saturating_sub(1);
		let (cache, shared) = {
			let mut state = self.state.lock().expect("not poisoned");
			let best = state
				.entries
				.iter()
				.enumerate()
				.map(|(index, entry)| (index, shared_prefix(&entry.tokens, tokens).min(limit)))
				.filter(|(_, shared)| *shared > 0)
				.max_by_key(|(index, shared)| (*shared, std::cmp::Reverse(*index)));
			let Some((index, shared)) = best else { return KvCache::default() };
			state.clock += 1;
			state.reused += shared as u64;
			let clock = state.clock;
			let entry = &mut state.entries[index];
			entry.used = clock;
			(entry.cache.clone(), shared)
		};
		cache.prefix(shared)
	}

	/// Remembers the first `tokens.len()` positions of `cache`, which ran `tokens` (and may
	/// hold positions after them). A sequence already covered by an entry only refreshes it;
	/// entries it extends are replaced. Entries longer than the capacity keep their start.
	pub fn remember(&self, tokens: &[u32], cache: &KvCache) {
		if self.capacity == 0 || tokens.is_empty() || cache.len() < tokens.len() {
			return;
		}
		let fits = (self.capacity / cache.bytes_per_position().max(1)).min(tokens.len());
		if fits == 0 {
			return;
		}
		let tokens = &tokens[..fits];
		// Refreshes an entry covering `tokens`; says whether there was one.
		let refresh = |state: &mut State| {
			state.clock += 1;
			let clock = state.clock;
			let covering = state.entries.iter_mut().find(|entry| entry.tokens.starts_with(tokens));
			covering.map(|entry| entry.used = clock).is_some()
		};
		if refresh(&mut self.state.lock().expect("not poisoned")) {
			return;
		}
		// The copy is made without the lock; another caller may remember the same tokens
		// meanwhile, so look again before keeping it.
		let cache = Arc::new(cache.prefix(fits));
		let mut state = self.state.lock().expect("not poisoned");
		if refresh(&mut state) {
			return;
		}
		state.entries.retain(|entry| !tokens.starts_with(&entry.tokens));
		let mut held: usize = state.entries.iter().map(|entry| entry.cache.bytes()).sum::<usize>() + cache.bytes();
		while held > self.capacity || state.entries.len() >= MAX_PREFIX_ENTRIES {
			let oldest = state.entries.iter().enumerate().min_by_key(|(_, entry)| entry.used).map(|(at, _)| at);
			let Some(oldest) = oldest else { break };
			held -= state.entries.remove(oldest).cache.bytes();
		}
		let used = state.clock;
		state.entries.push(Entry { tokens: tokens.to_vec(), cache, used });
	}

	/// Positions taken from the cache instead of run, since it was made.
	pub fn reused_positions(&self) -> u64 {
		self.state.lock().expect("not poisoned").reused
	}

	/// Bytes of keys and values held now.
	pub fn bytes(&self) -> usize {
		self.state.lock().expect("not poisoned").entries.iter().map(|entry| entry.cache.bytes()).sum()
	}
}

/// How many leading tokens `a` and `b` share.
fn shared_prefix(a: &[u32], b: &[u32]) -> usize {
	a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A cache of `tokens.len()` positions, 2 layers of width 3, whose values name the
	/// position's token, so a prefix can be checked by its contents.
	fn ran(tokens: &[u32]) -> KvCache {
		let row = |token: &u32| [*token as f32; 3];
		let keys: Vec<f32> = tokens.iter().flat_map(row).collect();
		let values: Vec<f32> = keys.iter().map(|key| -key).collect();
		KvCache { layers: vec![(keys.clone(), values.clone()), (keys, values)], len: tokens.len(), width: 3 }
	}

	const POSITION_BYTES: usize = 2 * 2 * 3 * 4;

	#[test]
	fn the_longest_shared_prefix_is_reused_short_of_the_last_token() {
		let cache = PrefixCache::new(1 << 20);
		cache.remember(&[1, 2, 3, 4], &ran(&[1, 2, 3, 4]));
		cache.remember(&[1, 2, 9], &ran(&[1, 2, 9]));
		let start = cache.start(&[1, 2, 3, 7, 8]);
		assert_eq!(start.len(), 3);
		assert_eq!(start.layers[1].0, ran(&[1, 2, 3]).layers[1].0);
		assert_eq!(start.layers[0].1, ran(&[1, 2, 3]).layers[0].1);
		// The same prompt again: all but its last token.
		assert_eq!(cache.start(&[1, 2, 3, 4]).len(), 3);
		// Nothing shared, or a single token: nothing reused.
		assert!(cache.start(&[5, 1, 2]).is_empty());
		assert!(cache.start(&[1]).is_empty());
		assert_eq!(cache.reused_positions(), 6);
	}

	#[test]
	fn a_remembered_cache_may_run_past_its_tokens() {
		let cache = PrefixCache::new(1 << 20);
		// A verification pass: prompt [1, 2, 3] then claimed tokens [4, 5].
		cache.remember(&[1, 2, 3], &ran(&[1, 2, 3, 4, 5]));
		assert_eq!(cache.bytes(), 3 * POSITION_BYTES);
		assert_eq!(cache.start(&[1, 2, 3, 4, 5, 6]).len(), 3);
		// Fewer positions than tokens: not remembered.
		cache.remember(&[7, 8, 9], &ran(&[7, 8]));
		assert!(cache.start(&[7, 8, 9]).is_empty());
	}

	#[test]
	fn covered_sequences_are_kept_once_and_extensions_replace_their_start() {
		let cache = PrefixCache::new(1 << 20);
		cache.remember(&[1, 2, 3], &ran(&[1, 2, 3]));
		cache.remember(&[1, 2], &ran(&[1, 2]));
		assert_eq!(cache.bytes(), 3 * POSITION_BYTES);
		cache.remember(&[1, 2, 3, 4], &ran(&[1, 2, 3, 4]));
		assert_eq!(cache.bytes(), 4 * POSITION_BYTES);
	}

	#[test]
	fn the_least_recently_used_entries_go_first_and_long_ones_keep_their_start() {
		let cache = PrefixCache::new(6 * POSITION_BYTES);
		cache.remember(&[1, 2, 3], &ran(&[1, 2, 3]));
		cache.remember(&[4, 5, 6], &ran(&[4, 5, 6]));
		// Using [1, 2, 3] makes [4, 5, 6] the one to go.
		assert_eq!(cache.start(&[1, 2, 3, 0]).len(), 3);
		cache.remember(&[7, 8], &ran(&[7, 8]));
		assert_eq!(cache.start(&[1, 2, 3, 0]).len(), 3);
		assert_eq!(cache.start(&[7, 8, 0]).len(), 2);
		assert!(cache.start(&[4, 5, 6, 0]).is_empty());
		assert!(cache.bytes() <= 6 * POSITION_BYTES);
		// Longer than the whole capacity: its first 6 positions are kept, alone.
		let long: Vec<u32> = (10..20).collect();
		cache.remember(&long, &ran(&long));
		assert_eq!(cache.bytes(), 6 * POSITION_BYTES);
		assert_eq!(cache.start(&long).len(), 6);
		assert!(cache.start(&[1, 2, 3, 0]).is_empty());
	}

	#[test]
	fn entries_are_capped_by_count_too() {
		let cache = PrefixCache::new(1 << 20);
		for first in 0..MAX_PREFIX_ENTRIES as u32 + 10 {
			cache.remember(&[first, 1000], &ran(&[first, 1000]));
		}
		assert_eq!(cache.bytes(), MAX_PREFIX_ENTRIES * 2 * POSITION_BYTES);
		// The oldest went first.
		assert!(cache.start(&[0, 1000, 7]).is_empty());
		assert_eq!(cache.start(&[MAX_PREFIX_ENTRIES as u32 + 9, 1000, 7]).len(), 2);
	}

	#[test]
	fn a_cache_of_no_bytes_keeps_nothing() {
		let cache = PrefixCache::new(0);
		cache.remember(&[1, 2, 3], &ran(&[1, 2, 3]));
		assert!(cache.start(&[1, 2, 3, 4]).is_empty());
		assert_eq!((cache.bytes(), cache.reused_positions()), (0, 0));
	}
}
