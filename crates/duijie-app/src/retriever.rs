//! Ranking (`duijie-match`) reads the production tantivy index through its `Retriever` trait;
//! the adapter lives in duijie-match so that its tests and its evaluation rank through the same
//! index as the endpoints.

pub(crate) use duijie_match::IndexRetriever;
