// Which page of the main window is showing.

export type Page = "main" | "history" | "batch" | "settings";
export const PAGES: readonly Page[] = ["main", "history", "batch", "settings"];

export class NavStore {
  page = $state<Page>("main");

  go(page: Page): void {
    this.page = page;
  }
}
