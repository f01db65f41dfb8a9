//! The one integration-test binary of duijie-search.

// Fixture helpers outside `#[test]` functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "integration/common.rs"]
mod common;
#[path = "integration/index.rs"]
mod index;
#[path = "integration/real_data.rs"]
mod real_data;
#[path = "integration/search.rs"]
mod search;
#[path = "integration/tokenizer.rs"]
mod tokenizer;
