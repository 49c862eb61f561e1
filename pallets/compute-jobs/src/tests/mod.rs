//! Unit tests, one file per concern.

mod jobs;
mod workers;
