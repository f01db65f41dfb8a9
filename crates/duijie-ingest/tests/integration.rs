//! The one integration-test binary of duijie-ingest: fixtures are generated in code (workbooks
//! with rust_xlsxwriter, GBK text with encoding_rs); real catalogues from `/work/shared/data`
//! are read when present.

#[path = "it/fixtures.rs"]
mod fixtures;

#[path = "it/broken.rs"]
mod broken;
#[path = "it/json.rs"]
mod json;
#[path = "it/memory.rs"]
mod memory;
#[path = "it/real_data.rs"]
mod real_data;
#[path = "it/text.rs"]
mod text;
#[path = "it/workbooks.rs"]
mod workbooks;
