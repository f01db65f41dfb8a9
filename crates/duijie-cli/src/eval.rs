//! `duijie eval`: ranking evaluation on held-out real data (docs/ranking.md).

use anyhow::Result;

#[derive(clap::Subcommand, Debug)]
pub enum EvalCommand {
    /// Held-out attribution on the NSFC lists: who did this project?
    Attribution {
        /// Folder with the shared data sets.
        #[arg(long, default_value = "../shared/data")]
        data: std::path::PathBuf,
        /// Seed of the held-out draw.
        #[arg(long, default_value_t = 20261129)]
        seed: u64,
        /// Held-out projects per data set.
        #[arg(long, default_value_t = 250)]
        holdout: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(cmd: EvalCommand) -> Result<()> {
    match cmd {
        EvalCommand::Attribution { .. } => {
            anyhow::bail!("eval attribution is being wired to duijie-match's harness")
        }
    }
}
