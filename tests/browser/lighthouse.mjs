// One Lighthouse run in Debian's Chromium: `node lighthouse.mjs URL [COOKIE_NAME=VALUE]`; prints JSON.
// A signed-in run puts the session cookie in the browser's cookie jar (not an extra header), so every
// request carries it, the websocket handshake of the page's live stream included: that socket connects
// as it does for a member and the console stays clean with the errors-in-console audit on.
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const [url, cookie] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  if (cookie) {
    const [name, ...value] = cookie.split('=');
    await browser.setCookie({ name, value: value.join('='), url });
  }
  const result = await lighthouse(url, {
    output: 'json', logLevel: 'error', onlyCategories: ['accessibility', 'best-practices', 'seo'],
  }, undefined, page);
  process.stdout.write(result.report);
} finally {
  await browser.close();
}
