import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BlogBackend, type RunningBlog, startBlog } from './support/running-blog';

// Debian's Chromium, never a downloaded browser; background networking off, as nothing beyond
// localhost is reachable here.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

async function panel(page: Page) {
  const figure = async (id: string) => Number(await page.locator(`#cache-${id}`).textContent());
  return { hits: await figure('hits'), misses: await figure('misses'), uncached: await figure('uncached') };
}

async function likes(page: Page, commentId: number) {
  return Number(await page.locator(`#comment-${commentId} .likes`).textContent());
}

describe.each<BlogBackend>(['memory', 'memcached'])('a reader in Chromium, on the %s backend', (backend) => {
  let running: RunningBlog;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    running = await startBlog(backend);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await running?.stop();
  });

  it('likes a comment and sees the count change while the other comments come from the cache', async () => {
    await page.goto(`${running.url}/articles/1`);
    await page.reload(); // warm: the whole article is one hit
    expect(await panel(page)).toMatchObject({ hits: 1, misses: 0 });
    const before = await likes(page, 5);
    const otherBefore = await likes(page, 6);

    await page.locator('#comment-5 button.like').click();
    await page.waitForURL(/#comment-5$/); // the POST redirects back: the page is loaded again

    expect(await likes(page, 5)).toBe(before + 1);
    expect(await likes(page, 6)).toBe(otherBefore);
    // The vote missed the article page and comment 5; the other 11 comments were cache hits.
    expect(await panel(page)).toEqual({ hits: 11, misses: 2, uncached: 0 });

    await page.reload();
    expect(await likes(page, 5)).toBe(before + 1);
    expect(await panel(page)).toEqual({ hits: 1, misses: 0, uncached: 0 });
  });

  it('adds a comment and sees it on the page', async () => {
    await page.goto(`${running.url}/articles/2`);
    await page.fill('#comment-form input[name=author]', 'Grace Browser');
    await page.fill('#comment-form textarea[name=body]', 'Written in a real browser.');
    await page.click('#add-comment');
    await page.waitForURL(/\/articles\/2#comment-\d+$/);
    await expect(page.locator('.comment').last().locator('.text').textContent()).resolves.toBe(
      'Written in a real browser.',
    );
    await expect(page.locator('#visitor-name').textContent()).resolves.toBe('Commenting as Grace Browser');
  });

  it('is shown the form again with an error when the comment is empty', async () => {
    await page.goto(`${running.url}/articles/2`);
    await page.fill('#comment-form input[name=author]', 'Grace Browser');
    await page.fill('#comment-form textarea[name=body]', '');
    const [response] = await Promise.all([page.waitForResponse(/\/comments$/), page.click('#add-comment')]);
    expect(response.status()).toBe(400);
    await expect(page.locator('#body-error').textContent()).resolves.toBe('Comment is required.');
  });

  it('edits the article title and sees it', async () => {
    await page.goto(`${running.url}/articles/1`);
    await page.click('#edit-article');
    await page.fill('#article-form input[name=title]', `Edited in Chromium on ${backend}`);
    await page.click('#save-article');
    await page.waitForURL(/\/articles\/1$/);
    await expect(page.locator('#article-title').textContent()).resolves.toBe(`Edited in Chromium on ${backend}`);
  });
});
