//! # Infera inference
//!
//! What a worker's node runs for the off-chain worker:
//!
//! - [`store`]: the model directory, keyed by SHA-256; artifacts are fetched from their
//!   registered location when missing and verified before any use, within a disk quota.
//! - [`fetch`]: downloads over `https://`, `http://` and IPFS gateways: streamed, hashed,
//!   capped, resumable and bounded in time.
//! - [`prepare`]: which served versions are ready, fetching the others in the background.
//! - [`bert`]: BERT models (weights read with candle, run on [`kernels::dense`]): sentence
//!   embeddings (mean pooling, L2-normalised) and sequence classification.
//! - [`llama`], [`chat`], [`generation`]: llama-architecture GGUF language models with
//!   their embedded tokenizer and chat template; seeded decoding and one-pass verification.
//! - [`prefix_cache`]: keys and values of recent prompts, so shared starts (a chat's system
//!   turn) run once.
//! - [`kernels`]: products with Q4_1 and Q8_0 weights on the CPU's widest integer
//!   dot-product instructions (AVX-512 VNNI, AVX2), bit-identical to candle's reference;
//!   f32 layers on AVX-512 or AVX2 fused multiply-adds, the same bits on every unit.
//! - [`engine`]: loads each model once, caches a few, and runs requests in batches.
//! - [`quantize`]: the i8 encoding embeddings take on chain.
//! - [`registry`]: reads model versions through a node's JSON-RPC, for operators' tools.
//! - [`variants`]: other models of a GGUF file's shape (requantized, blocks exchanged), as a
//!   corner-cutting worker would run them: for verification tests and benchmarks.
//! - [`service`]: the loopback HTTP endpoint the runtime's off-chain worker calls
//!   (`/v1/infer`, `/v1/prepare`).

pub mod bert;
pub mod chat;
pub mod engine;
pub mod error;
pub mod fetch;
pub mod generation;
pub mod kernels;
pub mod llama;
pub mod prefix_cache;
pub mod prepare;
pub mod quantize;
pub mod registry;
pub mod service;
pub mod store;
pub mod variants;

pub use engine::Engine;
pub use error::{FetchError, InferenceError, Result};
