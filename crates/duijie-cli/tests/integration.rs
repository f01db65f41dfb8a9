//! The `duijie` binary end to end: one test binary for the whole CLI.

mod common;
mod it {
    pub mod cli;
    pub mod reliability;
}
