//! Tests of the web pages: over HTTP with a cookie-keeping client, and in headless Chromium.

mod accounts;
mod audit;
mod browser;
mod committees;
mod hardening;
mod http;
mod instruments;
mod interests;
mod journey;
mod ledger;
mod messages;
mod support;
mod trends;
mod workspace;
