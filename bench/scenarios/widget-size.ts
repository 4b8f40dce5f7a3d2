/** Scenario 5: gzip size of what a host page loads before the chat opens, against the 20 KB budget. */
import { LOADER_BUDGET_BYTES, measure } from '../../ui/widget/measure-size.ts';
import { cores, ratio, type ScenarioResult } from '../lib/scenario.ts';

export async function widgetSize(): Promise<ScenarioResult> {
  const sizes = measure();
  return {
    name: 'widget-size',
    figures: { loaderGzipBytes: sizes.loader.gzip, loaderRawBytes: sizes.loader.bytes, chatGzipBytes: sizes.chat.gzip, chatRawBytes: sizes.chat.bytes, chatFiles: sizes.chat.files.join(',') },
    baseline: { loaderGzipBytes: LOADER_BUDGET_BYTES },
    ratio: { loaderGzipBytes: ratio(sizes.loader.gzip, LOADER_BUDGET_BYTES) },
    cores: cores(),
    database: 'none',
    notes: ['baseline here is the budget (20 KB gzipped), not a measured program; sizes are of the current ui/dist/widget build (npm run build:widget first)'],
  };
}
