//! Tests of the web pages: over HTTP with a cookie-keeping client, and in headless Chromium.

mod accounts;
mod audit;
mod browser;
mod hardening;
mod http;
mod interests;
mod journey;
mod ledger;
mod market;
mod messages;
mod support;
mod workspace;
