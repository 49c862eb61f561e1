//! Unit tests, one file per concern.

mod agreement;
mod jobs;
mod lifecycle;
mod workers;
