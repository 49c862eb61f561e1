//! Structured logs: one JSON object per line on standard error, with the time (Unix
//! seconds), level, event name and its fields, e.g.
//! `{"ts":1764700000.123,"level":"info","event":"job_closed","job":7,"reason":"completed"}`.

use serde_json::{Map, Value};
use std::{
	io::Write,
	time::{SystemTime, UNIX_EPOCH},
};

fn write(level: &str, event: &str, fields: &[(&str, Value)]) {
	let mut line = Map::new();
	let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_secs_f64()).unwrap_or_default();
	line.insert("ts".into(), Value::from((now * 1000.0).round() / 1000.0));
	line.insert("level".into(), level.into());
	line.insert("event".into(), event.into());
	for (key, value) in fields {
		line.insert((*key).into(), value.clone());
	}
	let mut stderr = std::io::stderr().lock();
	let _ = writeln!(stderr, "{}", Value::Object(line));
}

/// Something worth knowing happened.
pub fn info(event: &str, fields: &[(&str, Value)]) {
	write("info", event, fields)
}

/// Something went wrong that the gateway recovers from.
pub fn warn(event: &str, fields: &[(&str, Value)]) {
	write("warn", event, fields)
}

/// Something failed.
pub fn error(event: &str, fields: &[(&str, Value)]) {
	write("error", event, fields)
}
