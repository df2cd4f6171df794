//! The PostgreSQL engine (being built): connects with libpq's conventions, and for now
//! refuses every operation with a one-line reason.

use anyhow::Result;

use super::target::PgUrl;
use super::{
    Access, DayUse, Dump, Event, FailureDay, Inserted, ListCounts, ListQuery, NewToken, Record,
    SourceUse, TokenRecord,
};
use crate::error::{Kind, fail};
use crate::time::Timestamp;
use crate::token::{TokenHash, TokenId};

pub struct Store {
    never: std::convert::Infallible,
}

pub struct Snapshot<'a>(#[allow(dead_code)] &'a Store);

impl Store {
    pub fn open(url: &PgUrl, _access: Access) -> Result<Store> {
        Err(fail(
            Kind::Unreachable,
            format!("{url:?}: PostgreSQL support is not built yet"),
        ))
    }
    pub fn created(&self) -> bool {
        match self.never {}
    }
    pub fn insert(&mut self, _: &NewToken, _: impl Fn() -> Timestamp, _: &str) -> Result<Inserted> {
        match self.never {}
    }
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        match self.never {}
    }
    pub fn get(&self, _: &str) -> Result<Option<TokenRecord>> {
        match self.never {}
    }
    pub fn by_name(&self, _: &str) -> Result<Option<TokenRecord>> {
        match self.never {}
    }
    pub fn by_id_prefix(&self, _: &str, _: u32) -> Result<Vec<TokenRecord>> {
        match self.never {}
    }
    pub fn revoke(
        &mut self,
        _: &[&str],
        _: impl Fn() -> Timestamp,
        _: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        match self.never {}
    }
    pub fn restore(
        &mut self,
        _: &[&str],
        _: impl Fn() -> Timestamp,
        _: &str,
    ) -> Result<Vec<(TokenRecord, bool)>> {
        match self.never {}
    }
    pub fn delete(&mut self, _: &[&str], _: impl Fn() -> Timestamp, _: &str) -> Result<()> {
        match self.never {}
    }
    pub fn revoke_leaked(
        &mut self,
        _: &[(&str, TokenHash, &str)],
        _: Timestamp,
        _: &str,
    ) -> Result<Vec<bool>> {
        match self.never {}
    }
    pub fn check<V>(
        &mut self,
        _: &TokenId,
        _: impl Fn() -> Timestamp,
        _: Option<&str>,
        _: impl FnMut(Option<&TokenRecord>, Timestamp) -> (V, Record),
    ) -> Result<(V, Option<TokenRecord>)> {
        match self.never {}
    }
    pub fn list(
        &self,
        _: &ListQuery,
        _: Timestamp,
        _: impl FnMut(TokenRecord) -> Result<()>,
    ) -> Result<ListCounts> {
        match self.never {}
    }
    pub fn sources(&self, _: &str, _: u32) -> Result<Vec<SourceUse>> {
        match self.never {}
    }
    pub fn daily(&self, _: &str, _: i64) -> Result<Vec<DayUse>> {
        match self.never {}
    }
    pub fn events(&self, _: Option<&str>, _: Option<Timestamp>) -> Result<Vec<Event>> {
        match self.never {}
    }
    pub fn failure_days(&self, _: Option<&str>, _: Option<Timestamp>) -> Result<Vec<FailureDay>> {
        match self.never {}
    }
    pub fn historic(&self, _: &str) -> Result<Vec<(String, String)>> {
        match self.never {}
    }
    pub fn export(&self) -> Result<Dump> {
        match self.never {}
    }
    pub fn import(&mut self, _: &Dump) -> Result<()> {
        match self.never {}
    }
}
