//! [`Rng`]: the generator of the random-sequence tests.

/// xorshift64*: a small deterministic generator, so a failing sequence replays from its
/// seed.
pub struct Rng(u64);

impl Rng {
	/// A generator for sequence `seed` (any value; seeds are spread over the state).
	pub fn new(seed: u64) -> Self {
		Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15))
	}

	/// A generator starting from `state` as it is (not zero).
	pub fn from_state(state: u64) -> Self {
		Self(state)
	}

	/// The next 64 random bits.
	pub fn next(&mut self) -> u64 {
		self.0 ^= self.0 >> 12;
		self.0 ^= self.0 << 25;
		self.0 ^= self.0 >> 27;
		self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
	}

	/// A number below `n`, which is not zero.
	pub fn below(&mut self, n: u64) -> u64 {
		self.next() % n
	}

	/// One of `items`, which is not empty.
	pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
		items[self.below(items.len() as u64) as usize].clone()
	}
}
