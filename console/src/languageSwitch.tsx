/** The console's language switch (English / Français), in the top bar and on the sign-in page. */
import { catalogs, lang, switchLanguage, t, type Lang } from './i18n.js';

const NAMES: Record<Lang, string> = { en: 'English', fr: 'Français' };

export function LanguageSwitch() {
  return (
    <label class="lang-switch">
      <span class="visually-hidden">{t.language}</span>
      <select value={lang} onChange={(e) => switchLanguage(e.currentTarget.value as Lang)}>
        {(Object.keys(catalogs) as Lang[]).map((l) => (
          <option key={l} value={l} lang={l}>
            {NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
