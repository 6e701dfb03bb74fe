// The current UI language as a rune, so every `t()` call made while a
// component renders subscribes to it and re-renders on a switch.

import type { UiLang } from "../api/types";

class LangState {
  current = $state<UiLang>("zh-Hant");
}

export const langState = new LangState();
