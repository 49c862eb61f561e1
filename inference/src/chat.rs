//! The tokenizer and chat template a GGUF file embeds in its metadata: nothing is
//! downloaded. Supports byte-level BPE vocabularies (`tokenizer.ggml.model = "gpt2"`,
//! as SmolLM2, GPT-2 and StarCoder ship) and ChatML templates (`<|im_start|>role\n…<|im_end|>`).
//!
//! A job's prompt is UTF-8, read as chat messages when it is a JSON array of
//! `{"role", "content"}` objects, and otherwise as one user message.

use crate::{
	error::{InferenceError, Result},
	llama::{metadata, metadata_string},
};
use candle_core::quantized::gguf_file;
use tokenizers::{
	decoders::byte_level::ByteLevel as ByteLevelDecoder,
	models::bpe::BPE,
	pre_tokenizers::{byte_level::ByteLevel, digits::Digits, sequence::Sequence},
	AddedToken, Tokenizer,
};

/// Token type of control tokens in `tokenizer.ggml.token_type` (llama.cpp's numbering).
const CONTROL_TOKEN: i32 = 3;

/// One chat message.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Message {
	/// `system`, `user` or `assistant`.
	pub role: String,
	/// The message text.
	pub content: String,
}

/// Reads a prompt: a JSON array of messages, or plain text as one user message.
pub fn messages_of(prompt: &str) -> Result<Vec<Message>> {
	let trimmed = prompt.trim_start();
	if trimmed.starts_with('[') {
		if let Ok(messages) = serde_json::from_str::<Vec<Message>>(trimmed) {
			if messages.is_empty() {
				return Err(InferenceError::InvalidInput("no chat messages".into()));
			}
			if let Some(bad) = messages.iter().find(|m| !matches!(m.role.as_str(), "system" | "user" | "assistant")) {
				return Err(InferenceError::InvalidInput(format!("unknown chat role {:?}", bad.role)));
			}
			return Ok(messages);
		}
	}
	Ok(vec![Message { role: "user".into(), content: prompt.into() }])
}

/// A GGUF file's tokenizer, special tokens and chat format.
pub struct ChatTokenizer {
	tokenizer: Tokenizer,
	/// The token that ends an assistant turn: generation stops on it.
	pub end_of_turn: u32,
	/// The system message the template adds when a chat has none.
	default_system: Option<String>,
}

impl ChatTokenizer {
	/// Builds the tokenizer from `content`'s `tokenizer.*` metadata.
	pub fn from_gguf(content: &gguf_file::Content) -> Result<Self> {
		let invalid = |reason: &str| InferenceError::InvalidModel(reason.into());
		let model = metadata_string(content, "tokenizer.ggml.model")?;
		if model != "gpt2" {
			return Err(InferenceError::Unsupported(format!("tokenizer model {model:?}")));
		}
		let strings = |key: &str| -> Result<Vec<String>> {
			metadata(content, key)?
				.to_vec()
				.map_err(|_| invalid("tokenizer metadata is not a list"))?
				.iter()
				.map(|v| v.to_string().cloned().map_err(|_| invalid("tokenizer entry is not a string")))
				.collect()
		};
		let tokens = strings("tokenizer.ggml.tokens")?;
		let types: Vec<i32> = match content.metadata.get("tokenizer.ggml.token_type") {
			Some(types) => types
				.to_vec()
				.map_err(|_| invalid("token types are not a list"))?
				.iter()
				.map(|v| v.to_i32().unwrap_or(1))
				.collect(),
			None => vec![1; tokens.len()],
		};
		let merges = strings("tokenizer.ggml.merges")?
			.into_iter()
			.map(|merge| {
				merge
					.split_once(' ')
					.map(|(a, b)| (a.to_string(), b.to_string()))
					.ok_or_else(|| invalid("a merge is not two tokens"))
			})
			.collect::<Result<Vec<_>>>()?;
		let vocab: tokenizers::models::bpe::Vocab =
			tokens.iter().enumerate().map(|(id, token)| (token.clone(), id as u32)).collect();
		let bpe = BPE::builder()
			.vocab_and_merges(vocab, merges)
			.build()
			.map_err(|e| InferenceError::InvalidModel(format!("BPE vocabulary: {e}")))?;
		let mut tokenizer = Tokenizer::new(bpe);
		// Digits one by one, then GPT-2's byte-level split (llama.cpp's `smollm` and
		// `starcoder` pre-tokenizers).
		tokenizer.with_pre_tokenizer(Some(Sequence::new(vec![
			Digits::new(true).into(),
			ByteLevel::new(false, true, true).into(),
		])));
		tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
		let specials: Vec<AddedToken> = tokens
			.iter()
			.zip(&types)
			.filter(|(_, kind)| **kind == CONTROL_TOKEN)
			.map(|(token, _)| AddedToken::from(token.clone(), true))
			.collect();
		tokenizer.add_special_tokens(&specials);

		let template = metadata_string(content, "tokenizer.chat_template")?;
		if !template.contains("<|im_start|>") {
			return Err(InferenceError::Unsupported("chat templates other than ChatML".into()));
		}
		let end_of_turn = tokenizer
			.token_to_id("<|im_end|>")
			.ok_or_else(|| invalid("ChatML template without an <|im_end|> token"))?;
		Ok(Self { tokenizer, end_of_turn, default_system: default_system_of(template) })
	}

	/// The ChatML text of `messages`, ending with the opened assistant turn.
	pub fn chat_text(&self, messages: &[Message]) -> String {
		let mut text = String::new();
		if let (Some(system), Some(first)) = (&self.default_system, messages.first()) {
			if first.role != "system" {
				text.push_str(&format!("<|im_start|>system\n{system}<|im_end|>\n"));
			}
		}
		for message in messages {
			text.push_str(&format!("<|im_start|>{}\n{}<|im_end|>\n", message.role, message.content));
		}
		text.push_str("<|im_start|>assistant\n");
		text
	}

	/// The tokens of a prompt, chat template applied.
	pub fn prompt_tokens(&self, prompt: &str) -> Result<Vec<u32>> {
		self.encode(&self.chat_text(&messages_of(prompt)?))
	}

	/// Tokens of `text`, special tokens recognised.
	pub fn encode(&self, text: &str) -> Result<Vec<u32>> {
		let encoding = self
			.tokenizer
			.encode(text, false)
			.map_err(|e| InferenceError::InvalidInput(format!("tokenization: {e}")))?;
		Ok(encoding.get_ids().to_vec())
	}

	/// The text of generated tokens, special tokens left out.
	pub fn decode(&self, tokens: &[u32]) -> Result<String> {
		self.tokenizer
			.decode(tokens, true)
			.map_err(|e| InferenceError::InvalidInput(format!("detokenization: {e}")))
	}
}

/// The system message a ChatML template inserts when the chat has none (SmolLM2's
/// "You are a helpful AI assistant named SmolLM, …"), read from the template's literal.
fn default_system_of(template: &str) -> Option<String> {
	let start = template.find("<|im_start|>system\n")? + "<|im_start|>system\n".len();
	let end = start + template[start..].find("<|im_end|>")?;
	Some(template[start..end].to_string())
}
