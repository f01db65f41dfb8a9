//! `duijie eval attribution|demands`: the flags of the evaluation harnesses, which live in
//! duijie-eval (`docs/ranking.md` describes both protocols and their figures).

use anyhow::Result;
use duijie_eval::attribution::production::AttributionOptions;
use duijie_eval::demands::{DemandSplit, DemandsOptions};
use duijie_eval::Progress;
use duijie_match::Fusion;
use indicatif::ProgressBar;
use std::path::PathBuf;
use std::sync::Mutex;

#[derive(clap::Subcommand, Debug)]
pub enum EvalCommand {
    /// Held-out attribution on the NSFC lists: who did this project?
    Attribution(AttributionArgs),
    /// The judged demand set: enterprise demands against the mixed corpus, scored against
    /// blind judgements, beside a peer's rankings.
    Demands(DemandsArgs),
}

#[derive(clap::Args, Debug)]
pub struct AttributionArgs {
    /// Folder with the shared data sets.
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Seed of the held-out draw.
    #[arg(long, default_value_t = 20_240_601)]
    seed: u64,
    /// Held-out projects per data set.
    #[arg(long, default_value_t = 250)]
    holdout: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Also write the split as JSON, for the peer script.
    #[arg(long)]
    export_split: Option<PathBuf>,
    /// Rank with dense (semantic) evidence at this share (0 = words only, 1 = meaning
    /// only), normalised fusion as the service does it; the corpus is embedded first.
    #[arg(long, default_value_t = 0.0)]
    semantic_ratio: f32,
    /// A duijie SQLite database that keeps vectors between runs (created when missing;
    /// e.g. the `eval.db` of a `demands --keep` folder): texts it holds are not embedded
    /// again, and what a run embeds is added to it.
    #[arg(long)]
    vectors: Option<PathBuf>,
}

/// Which demands are scored.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitChoice {
    All,
    /// The half used while tuning.
    Tuning,
    /// The half only reported.
    Report,
}

#[derive(clap::Args, Debug)]
pub struct DemandsArgs {
    /// Folder with the shared data sets (the NSFC lists, the faculty profiles and
    /// `real-demands/`).
    #[arg(long, default_value = "../shared/data")]
    data: PathBuf,
    /// Folder with the written demands (`written.jsonl`) and the repository's judgements
    /// (`judgements.jsonl`, second judges in `judgements-second.jsonl`).
    #[arg(long, default_value = "data/eval/demands")]
    set: PathBuf,
    #[arg(long, value_enum, default_value = "all")]
    split: SplitChoice,
    /// A peer's rankings (JSON lines `{demand, level, ranking}`), scored beside duijie's.
    #[arg(long)]
    peer: Option<PathBuf>,
    /// Write the corpus, the demands and duijie's rankings here, for the peer script.
    #[arg(long)]
    export: Option<PathBuf>,
    /// Write the candidates of duijie's (and the peer's) top 10 that have no judgement yet.
    #[arg(long)]
    pool_out: Option<PathBuf>,
    /// Ranking configuration as JSON (fields of `MatchConfig`), for experiments.
    #[arg(long)]
    match_config: Option<String>,
    /// Keep the imported corpus in this folder and reuse it on the next run.
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Also rank with dense (semantic) evidence mixed in at these ratios, e.g. `0,0.3,0.5,1`
    /// (0 = words only, 1 = meaning only), and print NDCG@10 per ratio. The corpus is embedded
    /// as the service does it (multilingual-e5-small), its vectors kept in the corpus's
    /// database, so a `--keep` corpus is embedded once.
    #[arg(long, value_delimiter = ',')]
    semantic_ratios: Vec<f32>,
    /// Fusion of dense and lexical evidence for `--semantic-ratios`.
    #[arg(long, value_enum, default_value = "both")]
    fusion: FusionChoice,
    /// A duijie SQLite database that keeps vectors between runs (as for `eval attribution`).
    #[arg(long)]
    vectors: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FusionChoice {
    Normalised,
    Rrf,
    Both,
}

impl From<AttributionArgs> for AttributionOptions {
    fn from(a: AttributionArgs) -> Self {
        AttributionOptions {
            data: a.data,
            seed: a.seed,
            holdout: a.holdout,
            json: a.json,
            export_split: a.export_split,
            semantic_ratio: a.semantic_ratio,
            vectors: a.vectors,
        }
    }
}

impl From<DemandsArgs> for DemandsOptions {
    fn from(a: DemandsArgs) -> Self {
        DemandsOptions {
            data: a.data,
            set: a.set,
            split: match a.split {
                SplitChoice::All => DemandSplit::All,
                SplitChoice::Tuning => DemandSplit::Tuning,
                SplitChoice::Report => DemandSplit::Report,
            },
            peer: a.peer,
            export: a.export,
            pool_out: a.pool_out,
            match_config: a.match_config,
            keep: a.keep,
            json: a.json,
            semantic_ratios: a.semantic_ratios,
            fusions: match a.fusion {
                FusionChoice::Normalised => vec![Fusion::Normalised],
                FusionChoice::Rrf => vec![Fusion::Rrf],
                FusionChoice::Both => vec![Fusion::Normalised, Fusion::Rrf],
            },
            vectors: a.vectors,
        }
    }
}

/// The embedding step's progress bar: one bar per step, drawn on a terminal.
#[derive(Default)]
struct Bar(Mutex<Option<ProgressBar>>);

impl Progress for Bar {
    fn update(&self, done: u64, total: u64) {
        let mut bar = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let bar = bar.get_or_insert_with(|| crate::output::progress_bar(0, "embedding"));
        bar.set_length(total);
        bar.set_position(done);
    }

    fn finish(&self) {
        let bar = self.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
    }
}

pub async fn run(cmd: EvalCommand) -> Result<()> {
    let bar = Bar::default();
    match cmd {
        EvalCommand::Attribution(args) => {
            duijie_eval::attribution::production::run(&args.into(), &bar).await
        }
        EvalCommand::Demands(args) => duijie_eval::demands::run(&args.into(), &bar).await,
    }
}
