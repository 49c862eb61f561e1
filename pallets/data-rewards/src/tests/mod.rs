//! Unit tests of the data-rewards pallet, by topic.

mod contributions;
mod datasets;
mod json;
mod lineage;
mod property;
mod pruning;
mod review;
mod rewards;
