/// <reference lib="dom" />
// Functions passed to page.evaluate run in the browser, so this file sees DOM types too.
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createUser, TEST_PASSWORD } from '../factories/users';
import { blurEverything, localParentCodes, localRows, newDevice, signInThroughUi, waitForText, wedgeScan } from './browser';
import { type E2eServer, useE2eSuite } from './server';

let env: E2eServer;
let browser: Browser;

useE2eSuite((s) => ({ env, browser } = s));

/**
 * Wakes the sync engine (it runs on 'online') until the device holds exactly these parents. A pull
 * withholds transactions newer than the oldest running one, so the change may take a few rounds.
 */
async function syncUntilParents(page: Page, expected: string[]): Promise<void> {
  await expect.poll(async () => {
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    return localParentCodes(page);
  }, { timeout: 30_000, interval: 200 }).toEqual(expected);
}

describe('sync.pull in the PWA (real Chromium, real server and Postgres)', () => {
  it('a handheld drops parents deleted, moved away or filled elsewhere, and after a move to another area holds that area’s parents only', async () => {
    const db = env.app.deps.db;
    const admin = await createUser(db, { role: 'admin' });
    const user = await createUser(db, { role: 'dispatcher', area: 'bathinda' });
    const neighbour = await createUser(db, { role: 'dispatcher', area: 'sangaria' });
    const as = env.app.as(user);
    for (const code of ['SB75001', 'SB75002', 'SB75003', 'M444-75004']) await as.bag.scanParent({ code });
    for (let i = 1; i <= 14; i++) await as.bag.linkChild({ parentCode: 'M444-75004', childCode: `K75D${i}` });
    await env.app.as(neighbour).bag.scanParent({ code: 'SB75101' });

    const device = await newDevice(browser, env.url);
    const page = await device.newPage();
    await signInThroughUi(page, user.username, TEST_PASSWORD, /\/scan$/);
    await syncUntilParents(page, ['M444-75004', 'SB75001', 'SB75002', 'SB75003']);

    await env.app.as(admin).bag.delete({ code: 'SB75001' });
    await sql`update bags set area = 'sangaria' where code = 'SB75003'`.execute(db);
    await as.bag.linkChild({ parentCode: 'M444-75004', childCode: 'K75D15' });
    await syncUntilParents(page, ['SB75002']);

    // Moving the dispatcher ends their sessions; signed in again, the device's old cursor is
    // answered with a reset and a snapshot of the new area.
    await env.app.as(admin).user.update({ id: user.id, area: 'sangaria' });
    await signInThroughUi(page, user.username, TEST_PASSWORD, /\/scan$/);
    await syncUntilParents(page, ['SB75003', 'SB75101']);
    await device.close();
  }, 120_000);

  it('parents that only a scan brought, outside every feed the device follows, are dropped once a pull completes; the scan screen’s parent stays', async () => {
    const db = env.app.deps.db;
    // A biller follows bills, not parents: a parent they scan (it gets no area) is in no feed of theirs.
    const biller = await createUser(db, { role: 'biller' });
    const device = await newDevice(browser, env.url);
    const page = await device.newPage();
    await signInThroughUi(page, biller.username, TEST_PASSWORD, /\/bills$/);
    await page.goto('/scan');
    await waitForText(page, 'pending-count', '0');
    await blurEverything(page);
    await wedgeScan(page, 'SB79001');
    await waitForText(page, 'parent-progress', '0/30');
    await wedgeScan(page, 'K79001A');
    await waitForText(page, 'parent-progress', '1/30');
    await waitForText(page, 'pending-count', '0');
    await expect.poll(async () => (await localRows<{ code: string; isOutsideFeed?: boolean }>(page, 'parents')).map((p) => [p.code, p.isOutsideFeed])).toEqual([['SB79001', true]]);

    // The screen moves on: the next completed pull drops SB79001 and keeps the new parent on screen.
    await wedgeScan(page, 'SB79002');
    await waitForText(page, 'parent-progress', '0/30');
    await syncUntilParents(page, ['SB79002']);
    await device.close();
  }, 120_000);
});
