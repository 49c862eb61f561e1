//! Unit tests, one file per concern.

mod agreement;
mod fuzz;
mod jobs;
mod lifecycle;
mod workers;
