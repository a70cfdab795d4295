// Dictionary i18n: Hebrew (right-to-left) by default, English on request; the choice is kept
// in localStorage and mirrored on <html lang dir>.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { en } from "./en";
import { he, type MessageKey } from "./he";

export type Lang = "he" | "en";
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

const dictionaries: Record<Lang, Record<MessageKey, string>> = { he, en };
const STORAGE_KEY = "agentlocator.lang";

interface I18n {
  lang: Lang;
  locale: string;
  t: Translate;
  /** Looks up a key built at run time (a status, a weekday), falling back to the raw value. */
  tx: (prefix: string, value: string) => string;
  setLang: (lang: Lang) => void;
}

const I18nContext = createContext<I18n | null>(null);

function initialLang(): Lang {
  return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "he";
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === "he" ? "rtl" : "ltr";
  }, [lang]);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const dict = dictionaries[lang];
    const t: Translate = (key, vars) => {
      let text = dict[key] ?? key;
      if (vars) for (const [name, v] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(v));
      return text;
    };
    const tx = (prefix: string, value: string) => (dict as Record<string, string>)[`${prefix}.${value}`] ?? value;
    return { lang, locale: lang === "he" ? "he-IL" : "en-GB", t, tx, setLang };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error("useI18n outside I18nProvider");
  return value;
}
