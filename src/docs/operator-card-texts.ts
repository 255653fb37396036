import type { WebLanguage } from '../config/schema.js';
import type { PointStateName } from '../point/types.js';

/** The rows of the card: the five states, the dark sign ("no current information"), the link lamp. */
export type CardRow = PointStateName | 'DARK' | 'LINK';

export interface CardTexts {
  title: string;
  subtitle: string;
  sign: string;
  screen: string;
  means: string;
  todo: string;
  /** How the lamp blinks, in words, per state (the figures come from src/sign/pattern.ts). */
  blink: Record<PointStateName, string>;
  darkSign: string;
  linkLamp: string;
  /** Under "screen" for the link lamp, which the screen does not show. */
  linkScreen: string;
  rows: Record<CardRow, { means: string; todo: string }>;
  commandsTitle: string;
  commands: { status: string; mode: string; auto: string; occupancy: string; restart: string };
  technician: string;
}

/**
 * The operator card's own texts, one entry per language. The state words, the "no current
 * information" headline, the colours and the blink figures come from the page's translations and the
 * sign's patterns, so the card always says what the sign and the screen say.
 */
export const CARD_TEXTS: Readonly<Record<WebLanguage, CardTexts>> = {
  en: {
    title: 'Operator card',
    subtitle:
      'What the sign outside and the screen by the door say, and what to do. Keep it by the controller.',
    sign: 'Sign outside',
    screen: 'Screen',
    means: 'What it means',
    todo: 'What to do',
    blink: {
      OPEN: 'steady',
      OPEN_LIMITED: 'lit, dark for a moment every 3 s',
      FULL: 'double flash every 2 s',
      STANDBY: 'short blip every 3 s',
      CLOSED: 'even blink: 1 s on, 1 s off',
    },
    darkSign: 'All lamps dark',
    linkLamp: 'Small link lamp',
    linkScreen: '(not on the screen)',
    rows: {
      OPEN: { means: 'Open; every service it offers works.', todo: 'Nothing. Keep the people count right.' },
      OPEN_LIMITED: {
        means:
          'Open, but something is missing; the screen says what (battery only, no power, cold, a service down).',
        todo: 'Fix what the screen names: refuel or start the generator, warm the room, tell visitors what is missing.',
      },
      FULL: {
        means: 'No free places. It opens again when fewer than 90 % of the places are taken.',
        todo: 'Send people where the screen says. Let nobody more in. Correct the count if it is wrong.',
      },
      STANDBY: {
        means: 'Ready, not open yet. The screen asks people not to come in.',
        todo: 'Open when the municipality says so: mode open.',
      },
      CLOSED: {
        means: 'Closed by you, the schedule or the municipality. The screen says where to go instead.',
        todo: 'If it should be open: mode auto, and check the schedule.',
      },
      DARK: {
        means:
          'The controller is stopped, restarting, hung or without power. The sign never keeps an old OPEN; the screen says this within 20 s.',
        todo: 'Tell people at the door yourself. Check the controller’s power, then restart the service. Still dark after 2 minutes: call the technician.',
      },
      LINK: {
        means:
          'Lit: reporting to the municipality. Blinking: not reporting, slow under 1 h, faster under 24 h, fast over a day; nothing is lost, it is sent later. Dark: no link set up.',
        todo: 'Nothing urgent. Fast blinking: tell the technician.',
      },
    },
    commandsTitle: 'Commands on the controller',
    commands: {
      status: 'what the point shows now',
      mode: 'set the state by hand',
      auto: 'back to the rules (and the schedule)',
      occupancy: 'correct the people count',
      restart: 'restart the service',
    },
    technician: 'Technician’s phone:',
  },
  uk: {
    title: 'Картка чергового',
    subtitle: 'Що показують табло біля входу та екран у дверях і що робити. Тримайте поруч із контролером.',
    sign: 'Табло надворі',
    screen: 'Екран',
    means: 'Що це означає',
    todo: 'Що робити',
    blink: {
      OPEN: 'світить постійно',
      OPEN_LIMITED: 'світить, гасне на мить кожні 3 с',
      FULL: 'подвійний спалах кожні 2 с',
      STANDBY: 'короткий спалах кожні 3 с',
      CLOSED: 'рівномірно блимає: 1 с світить, 1 с ні',
    },
    darkSign: 'Усі лампи темні',
    linkLamp: 'Маленька лампа зв’язку',
    linkScreen: '(на екрані немає)',
    rows: {
      OPEN: {
        means: 'Відчинено, усі заявлені послуги працюють.',
        todo: 'Нічого. Стежте, щоб кількість людей була правильна.',
      },
      OPEN_LIMITED: {
        means:
          'Відчинено, але чогось бракує; екран пише чого (лише акумулятор, немає електрики, холодно, послуга недоступна).',
        todo: 'Усуньте те, що названо на екрані: заправте чи запустіть генератор, обігрійте приміщення, скажіть людям, чого немає.',
      },
      FULL: {
        means: 'Вільних місць немає. Пункт знову приймає, коли зайнято менше 90 % місць.',
        todo: 'Направляйте людей туди, куди вказує екран. Більше нікого не впускайте. Виправте лічильник, якщо він помиляється.',
      },
      STANDBY: {
        means: 'Готові, але ще не відчинено. Екран просить людей поки не заходити.',
        todo: 'Відчиніть, коли скаже громада: mode open.',
      },
      CLOSED: {
        means: 'Зачинено вами, за розкладом або громадою. Екран пише, куди звернутися.',
        todo: 'Якщо має бути відчинено: mode auto і перевірте розклад.',
      },
      DARK: {
        means:
          'Контролер зупинений, перезапускається, завис або без живлення. Табло ніколи не лишає старе «відчинено»; екран скаже про це за 20 с.',
        todo: 'Скажіть людям біля входу самі. Перевірте живлення контролера, потім перезапустіть службу. Темно й через 2 хвилини: телефонуйте техніку.',
      },
      LINK: {
        means:
          'Світить: пункт звітує громаді. Блимає: не звітує — повільно до 1 год, частіше до доби, швидко понад добу; нічого не втрачається, дані надійдуть пізніше. Темна: зв’язок не налаштовано.',
        todo: 'Нічого термінового. Швидко блимає: скажіть техніку.',
      },
    },
    commandsTitle: 'Команди на контролері',
    commands: {
      status: 'що пункт показує зараз',
      mode: 'задати стан вручну',
      auto: 'повернути правила (і розклад)',
      occupancy: 'виправити кількість людей',
      restart: 'перезапустити службу',
    },
    technician: 'Телефон техніка:',
  },
  ru: {
    title: 'Карточка дежурного',
    subtitle: 'Что показывают табло у входа и экран в дверях и что делать. Держите рядом с контроллером.',
    sign: 'Табло снаружи',
    screen: 'Экран',
    means: 'Что это значит',
    todo: 'Что делать',
    blink: {
      OPEN: 'горит постоянно',
      OPEN_LIMITED: 'горит, гаснет на миг каждые 3 с',
      FULL: 'двойная вспышка каждые 2 с',
      STANDBY: 'короткая вспышка каждые 3 с',
      CLOSED: 'ровно мигает: 1 с горит, 1 с нет',
    },
    darkSign: 'Все лампы тёмные',
    linkLamp: 'Маленькая лампа связи',
    linkScreen: '(на экране нет)',
    rows: {
      OPEN: {
        means: 'Открыто, все заявленные услуги работают.',
        todo: 'Ничего. Следите, чтобы число людей было верным.',
      },
      OPEN_LIMITED: {
        means:
          'Открыто, но чего-то не хватает; экран пишет чего (только аккумулятор, нет электричества, холодно, услуга недоступна).',
        todo: 'Устраните то, что названо на экране: заправьте или запустите генератор, обогрейте помещение, скажите людям, чего нет.',
      },
      FULL: {
        means: 'Свободных мест нет. Пункт снова принимает, когда занято меньше 90 % мест.',
        todo: 'Направляйте людей туда, куда указывает экран. Больше никого не впускайте. Исправьте счётчик, если он ошибается.',
      },
      STANDBY: {
        means: 'Готовы, но ещё не открыто. Экран просит людей пока не заходить.',
        todo: 'Откройте, когда скажет муниципалитет: mode open.',
      },
      CLOSED: {
        means: 'Закрыто вами, по расписанию или муниципалитетом. Экран пишет, куда обратиться.',
        todo: 'Если должно быть открыто: mode auto и проверьте расписание.',
      },
      DARK: {
        means:
          'Контроллер остановлен, перезапускается, завис или без питания. Табло никогда не оставляет старое «открыто»; экран скажет об этом за 20 с.',
        todo: 'Скажите людям у входа сами. Проверьте питание контроллера, затем перезапустите службу. Темно и через 2 минуты: звоните технику.',
      },
      LINK: {
        means:
          'Горит: пункт отчитывается муниципалитету. Мигает: не отчитывается — медленно до 1 ч, чаще до суток, быстро больше суток; ничего не теряется, данные уйдут позже. Тёмная: связь не настроена.',
        todo: 'Ничего срочного. Мигает быстро: скажите технику.',
      },
    },
    commandsTitle: 'Команды на контроллере',
    commands: {
      status: 'что пункт показывает сейчас',
      mode: 'задать состояние вручную',
      auto: 'вернуть правила (и расписание)',
      occupancy: 'исправить число людей',
      restart: 'перезапустить службу',
    },
    technician: 'Телефон техника:',
  },
  et: {
    title: 'Valvetöötaja kaart',
    subtitle: 'Mida näitavad silt ukse kõrval ja ekraan ning mida teha. Hoidke kontrolleri juures.',
    sign: 'Silt väljas',
    screen: 'Ekraan',
    means: 'Mida see tähendab',
    todo: 'Mida teha',
    blink: {
      OPEN: 'põleb pidevalt',
      OPEN_LIMITED: 'põleb, kustub hetkeks iga 3 s järel',
      FULL: 'kaks sähvatust iga 2 s järel',
      STANDBY: 'lühike sähvatus iga 3 s järel',
      CLOSED: 'vilgub ühtlaselt: 1 s põleb, 1 s mitte',
    },
    darkSign: 'Kõik lambid on kustunud',
    linkLamp: 'Väike sidelamp',
    linkScreen: '(ekraanil ei ole)',
    rows: {
      OPEN: {
        means: 'Avatud, kõik pakutavad teenused toimivad.',
        todo: 'Mitte midagi. Hoidke inimeste arv õige.',
      },
      OPEN_LIMITED: {
        means:
          'Avatud, aga midagi on puudu; ekraan ütleb, mis (ainult aku, elektrit ei ole, külm, teenus puudub).',
        todo: 'Kõrvaldage see, mida ekraan nimetab: tankige või käivitage generaator, soojendage ruumi, öelge külastajatele, mis puudub.',
      },
      FULL: {
        means: 'Vabu kohti ei ole. Keskus võtab jälle vastu, kui alla 90 % kohtadest on täis.',
        todo: 'Juhatage inimesed sinna, kuhu ekraan näitab. Rohkem kedagi sisse ei lasta. Parandage loendust, kui see eksib.',
      },
      STANDBY: {
        means: 'Valmis, aga veel ei ole avatud. Ekraan palub inimestel mitte siseneda.',
        todo: 'Avage, kui omavalitsus ütleb: mode open.',
      },
      CLOSED: {
        means: 'Suletud teie, ajakava või omavalitsuse poolt. Ekraan ütleb, kuhu pöörduda.',
        todo: 'Kui peaks olema avatud: mode auto ja kontrollige ajakava.',
      },
      DARK: {
        means:
          'Kontroller on peatatud, taaskäivitub, hangus või on ilma toiteta. Silt ei jää kunagi vana „avatud” peale; ekraan ütleb seda 20 s jooksul.',
        todo: 'Öelge inimestele ukse juures ise. Kontrollige kontrolleri toidet, siis taaskäivitage teenus. Kui 2 minuti pärast on ikka pime: helistage tehnikule.',
      },
      LINK: {
        means:
          'Põleb: keskus annab omavalitsusele aru. Vilgub: ei anna aru — aeglaselt alla 1 h, kiiremini alla ööpäeva, kiiresti üle ööpäeva; midagi ei kao, andmed saadetakse hiljem. Kustunud: sidet pole seadistatud.',
        todo: 'Pole kiire. Vilgub kiiresti: öelge tehnikule.',
      },
    },
    commandsTitle: 'Käsud kontrolleris',
    commands: {
      status: 'mida keskus praegu näitab',
      mode: 'määrake olek käsitsi',
      auto: 'tagasi reeglite (ja ajakava) järgi',
      occupancy: 'parandage inimeste arvu',
      restart: 'taaskäivitage teenus',
    },
    technician: 'Tehniku telefon:',
  },
  sv: {
    title: 'Kort för personalen',
    subtitle:
      'Vad skylten utanför och skärmen vid dörren visar, och vad du gör. Förvara det vid styrenheten.',
    sign: 'Skylten utanför',
    screen: 'Skärmen',
    means: 'Vad det betyder',
    todo: 'Vad du gör',
    blink: {
      OPEN: 'lyser hela tiden',
      OPEN_LIMITED: 'lyser, släcks kort var 3:e sekund',
      FULL: 'dubbelblink varannan sekund',
      STANDBY: 'kort blink var 3:e sekund',
      CLOSED: 'jämnt blink: 1 s tänd, 1 s släckt',
    },
    darkSign: 'Alla lampor släckta',
    linkLamp: 'Liten förbindelselampa',
    linkScreen: '(visas inte på skärmen)',
    rows: {
      OPEN: { means: 'Öppet, allt som erbjuds fungerar.', todo: 'Ingenting. Håll antalet personer rätt.' },
      OPEN_LIMITED: {
        means:
          'Öppet, men något saknas; skärmen säger vad (bara batteri, ingen ström, kallt, något fungerar inte).',
        todo: 'Åtgärda det skärmen nämner: tanka eller starta generatorn, värm rummet, berätta för besökarna vad som saknas.',
      },
      FULL: {
        means: 'Inga lediga platser. Det öppnar igen när färre än 90 % av platserna är upptagna.',
        todo: 'Hänvisa folk dit skärmen visar. Släpp inte in fler. Rätta antalet om det är fel.',
      },
      STANDBY: {
        means: 'Redo, men inte öppet än. Skärmen ber folk att inte gå in.',
        todo: 'Öppna när kommunen säger till: mode open.',
      },
      CLOSED: {
        means: 'Stängt av dig, schemat eller kommunen. Skärmen visar vart man kan vända sig.',
        todo: 'Om det ska vara öppet: mode auto, och kontrollera schemat.',
      },
      DARK: {
        means:
          'Styrenheten är stoppad, startar om, har hängt sig eller saknar ström. Skylten visar aldrig ett gammalt ÖPPET; skärmen säger det inom 20 s.',
        todo: 'Säg det själv till folk vid dörren. Kontrollera styrenhetens ström och starta om tjänsten. Fortfarande släckt efter 2 minuter: ring teknikern.',
      },
      LINK: {
        means:
          'Lyser: rapporterar till kommunen. Blinkar: rapporterar inte — långsamt under 1 h, snabbare under ett dygn, snabbt över ett dygn; inget försvinner, det skickas senare. Släckt: ingen förbindelse inställd.',
        todo: 'Inget brådskande. Snabbt blink: säg till teknikern.',
      },
    },
    commandsTitle: 'Kommandon på styrenheten',
    commands: {
      status: 'vad trygghetspunkten visar nu',
      mode: 'välj läge för hand',
      auto: 'tillbaka till reglerna (och schemat)',
      occupancy: 'rätta antalet personer',
      restart: 'starta om tjänsten',
    },
    technician: 'Teknikerns telefon:',
  },
};
