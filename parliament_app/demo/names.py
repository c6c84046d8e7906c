"""Synthetic name data for the demo-data generator.

Everything in this module is *synthetic*: generic, common first names and
family names of the kind found in public name-frequency lists, grouped by the
communities of the Western Balkans that the platform serves.  None of these
entries refers to a real child; combinations are drawn at random.

Spelling conventions:

* Serbian, Bosniak, Croatian, Montenegrin, Roma and Gorani names use the
  Latin alphabet with ``č ć š ž đ`` (and ``dž``, ``lj``, ``nj``).
* Albanian names use ``ë`` and ``ç``.
* Macedonian names are transliterated to Latin script in the common
  passport-style form (``gj``, ``kj``, ``zh``, ``ch``, ``sh``, ``dz``).
* Turkish names use Turkish orthography (``ç ğ ı İ ö ş ü``).

Family names are stored in their masculine/base form; use
:func:`family_name_for` to obtain the gender-appropriate form.
"""

from __future__ import annotations

import random

COMMUNITIES: tuple[str, ...] = (
    "serbian",
    "albanian",
    "bosniak",
    "macedonian",
    "roma",
    "croatian",
    "montenegrin",
    "turkish",
    "gorani",
)

GENDERS: tuple[str, ...] = ("female", "male")

# fmt: off
GIVEN_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "serbian": {
        "female": (
            "Milica", "Jelena", "Ana", "Marija", "Jovana", "Teodora",
            "Katarina", "Sara", "Anđela", "Nevena", "Tijana", "Dragana",
            "Ivana", "Milena", "Aleksandra", "Sofija", "Mina", "Nina",
            "Tamara", "Kristina", "Danica", "Vesna", "Snežana", "Bojana",
            "Dunja", "Lena", "Jana", "Isidora", "Natalija", "Đurđa",
        ),
        "male": (
            "Stefan", "Nikola", "Luka", "Lazar", "Marko", "Aleksa",
            "Filip", "Nemanja", "Miloš", "Vuk", "Dušan", "Đorđe",
            "Jovan", "Petar", "Uroš", "Vukašin", "Mihajlo", "Dimitrije",
            "Andrija", "Strahinja", "Ognjen", "Milan", "Dragan", "Vladimir",
            "Bogdan", "Veljko", "Pavle", "Relja", "Željko", "Nenad",
        ),
    },
    "albanian": {
        "female": (
            "Arta", "Blerta", "Drita", "Elira", "Fjolla", "Albulena",
            "Besa", "Dafina", "Era", "Erza", "Lirie", "Mimoza",
            "Njomza", "Rina", "Vlora", "Shqipe", "Teuta", "Valbona",
            "Zana", "Ardita", "Edona", "Hana", "Donika", "Flutura",
            "Ariana", "Anila", "Jeta", "Diellza", "Gresa", "Lumturije",
        ),
        "male": (
            "Arbër", "Besnik", "Blerim", "Dardan", "Driton", "Agon",
            "Alban", "Arben", "Ardit", "Bujar", "Valon", "Fatos",
            "Ilir", "Kushtrim", "Liridon", "Përparim", "Shpëtim", "Valmir",
            "Gëzim", "Granit", "Leutrim", "Mentor", "Rinor", "Egzon",
            "Endrit", "Florent", "Arlind", "Dren", "Agim", "Lulzim",
        ),
    },
    "bosniak": {
        "female": (
            "Amina", "Lejla", "Emina", "Ajla", "Selma", "Merima",
            "Adna", "Naida", "Amra", "Azra", "Belma", "Dženana",
            "Elma", "Hana", "Ilma", "Lamija", "Medina", "Nejla",
            "Sabina", "Alma", "Edina", "Aida", "Jasmina", "Ena",
            "Asja", "Amila", "Esma", "Melisa", "Šejla", "Džana",
        ),
        "male": (
            "Amar", "Adnan", "Emir", "Haris", "Kenan", "Tarik",
            "Harun", "Faruk", "Almir", "Adin", "Armin", "Benjamin",
            "Edin", "Eldar", "Emin", "Hamza", "Ismar", "Jasmin",
            "Kerim", "Mirza", "Nedim", "Orhan", "Salih", "Senad",
            "Vedad", "Amel", "Anel", "Muhamed", "Enes", "Ćamil",
        ),
    },
    "macedonian": {
        "female": (
            "Ana", "Elena", "Marija", "Ivana", "Jovana", "Sara",
            "Mila", "Teodora", "Angela", "Kristina", "Martina", "Simona",
            "Bojana", "Biljana", "Vesna", "Gordana", "Sonja", "Aleksandra",
            "Katerina", "Monika", "Tamara", "Dragana", "Frosina", "Marina",
            "Daniela", "Eva", "Lina", "Magdalena", "Verica", "Sashka",
        ),
        "male": (
            "Aleksandar", "Nikola", "Stefan", "Marko", "Dimitar", "David",
            "Filip", "Petar", "Luka", "Jovan", "Gjorgji", "Kiril",
            "Goran", "Zoran", "Dragan", "Vladimir", "Igor", "Bojan",
            "Darko", "Mihail", "Andrej", "Viktor", "Trajche", "Blagoja",
            "Kristijan", "Teodor", "Todor", "Kocho", "Bozhidar", "Dushko",
        ),
    },
    "roma": {
        "female": (
            "Senada", "Ramiza", "Elvira", "Sabina", "Fatima", "Zumreta",
            "Ajša", "Jasmina", "Mirsada", "Suzana", "Zorica", "Snežana",
            "Selvija", "Samanta", "Esmeralda", "Džemila", "Ljubica", "Mejrema",
            "Sanela", "Elmedina", "Medina", "Sevdija", "Šejla", "Nermina",
            "Dijana", "Marijana", "Hajrija", "Ševala", "Vesna", "Danijela",
        ),
        "male": (
            "Elvis", "Dženan", "Dževdet", "Ramadan", "Bajram", "Mirsad",
            "Sead", "Erdžan", "Muharem", "Fikret", "Rahman", "Ismet",
            "Sabahudin", "Dragan", "Saša", "Dejan", "Bekim", "Ibrahim",
            "Kemal", "Suad", "Redžep", "Šaban", "Alen", "Denis",
            "Edis", "Ferid", "Nenad", "Safet", "Elmaz", "Šefket",
        ),
    },
    "croatian": {
        "female": (
            "Ana", "Ivana", "Petra", "Lucija", "Marija", "Ema",
            "Mia", "Lana", "Lara", "Katarina", "Marta", "Nika",
            "Klara", "Iva", "Dora", "Sara", "Elena", "Paula",
            "Tena", "Helena", "Maja", "Martina", "Kristina", "Josipa",
            "Antonija", "Lea", "Nikolina", "Mateja", "Gabrijela", "Barbara",
        ),
        "male": (
            "Luka", "Ivan", "Marko", "Josip", "Ante", "Matej",
            "Petar", "Filip", "Jakov", "Karlo", "Mateo", "Leon",
            "David", "Fran", "Roko", "Toma", "Tomislav", "Domagoj",
            "Hrvoje", "Krešimir", "Mario", "Stjepan", "Zvonimir", "Nikola",
            "Dominik", "Vito", "Antonio", "Lovro", "Šimun", "Grgur",
        ),
    },
    "montenegrin": {
        "female": (
            "Milica", "Jovana", "Anđela", "Teodora", "Marija", "Ana",
            "Sara", "Jelena", "Kristina", "Ivana", "Dragana", "Tijana",
            "Nataša", "Milena", "Jelisaveta", "Danijela", "Ksenija", "Vesna",
            "Sanja", "Andrea", "Lana", "Sofija", "Una", "Maša",
            "Nikolina", "Dunja", "Bojana", "Mina", "Đina", "Jana",
        ),
        "male": (
            "Luka", "Nikola", "Vuk", "Stefan", "Marko", "Petar",
            "Filip", "Lazar", "Danilo", "Balša", "Vasilije", "Dušan",
            "Andrija", "Pavle", "Ognjen", "Miloš", "Novak", "Uroš",
            "Mihailo", "Aleksa", "Budimir", "Vladimir", "Milan", "Igor",
            "Dejan", "Savo", "Nemanja", "Janko", "Đorđije", "Vido",
        ),
    },
    "turkish": {
        "female": (
            "Ayşe", "Fatma", "Elif", "Zeynep", "Merve", "Esra",
            "Büşra", "Emine", "Hatice", "Selin", "Melisa", "Defne",
            "Ece", "Ebru", "Gülay", "Derya", "Aylin", "Nur",
            "Sena", "İrem", "Sibel", "Yasemin", "Hülya", "Nesrin",
            "Şeyma", "Leyla", "Nazlı", "Dilara", "Gizem", "Özlem",
        ),
        "male": (
            "Mehmet", "Ahmet", "Mustafa", "Emre", "Burak", "Yusuf",
            "Kerem", "Can", "Efe", "Arda", "Berk", "Murat",
            "Kemal", "Erdem", "Serkan", "Hakan", "Ömer", "Ali",
            "Osman", "Selim", "Tarık", "Oğuz", "Enes", "Eren",
            "Mert", "Alp", "Cem", "Tolga", "Barış", "Çağrı",
        ),
    },
    "gorani": {
        "female": (
            "Ajša", "Azra", "Belkisa", "Dženeta", "Elmaza", "Emina",
            "Esma", "Fahrija", "Fatima", "Hatidža", "Ibadeta", "Kadrija",
            "Lejla", "Medina", "Mejrema", "Merima", "Nazifa", "Nurija",
            "Rabija", "Sadeta", "Sanija", "Sebiha", "Selvija", "Šefika",
            "Zumreta", "Zulfija", "Hava", "Ajnura", "Amela", "Ilda",
        ),
        "male": (
            "Adem", "Alija", "Asan", "Bajram", "Ćazim", "Dževat",
            "Ejup", "Ferat", "Fikret", "Hajredin", "Halit", "Idriz",
            "Ismail", "Jusuf", "Kadri", "Ljatif", "Mehmed", "Mensur",
            "Murat", "Nazif", "Nedžat", "Omer", "Redžep", "Sabri",
            "Sadik", "Sulejman", "Šerif", "Tahir", "Vehbi", "Zijadin",
        ),
    },
}

FAMILY_NAMES: dict[str, tuple[str, ...]] = {
    "serbian": (
        "Jovanović", "Petrović", "Nikolić", "Marković", "Đorđević",
        "Stojanović", "Ilić", "Stanković", "Pavlović", "Gajić",
        "Popović", "Đukić", "Kostić", "Lukić", "Živković",
        "Stevanović", "Simić", "Mitrović", "Tomić", "Radovanović",
        "Đurić", "Kovačević", "Savić", "Todorović", "Lazić",
        "Milenković", "Obradović", "Ristić", "Marinković", "Pešić",
        "Vasić", "Stojković", "Ivanović", "Radosavljević", "Aleksić",
        "Mladenović", "Vuković", "Filipović", "Jović", "Milić",
        "Perić", "Antić",
    ),
    "albanian": (
        "Krasniqi", "Gashi", "Berisha", "Morina", "Shala",
        "Hoxha", "Bytyqi", "Kelmendi", "Hasani", "Rexhepi",
        "Ahmeti", "Ismaili", "Aliu", "Zeqiri", "Halili",
        "Mustafa", "Rama", "Hyseni", "Osmani", "Sadiku",
        "Mehmeti", "Salihu", "Kastrati", "Haxhiu", "Musliu",
        "Avdiu", "Bajrami", "Shabani", "Ramadani", "Xhaferi",
        "Idrizi", "Sylejmani", "Qerimi", "Hajdari", "Jakupi",
        "Emini", "Dauti", "Selimi", "Limani", "Demiri",
        "Beqiri", "Veseli", "Hoti", "Kryeziu", "Çela",
    ),
    "bosniak": (
        "Hodžić", "Hadžić", "Delić", "Begić", "Mehmedović",
        "Hasanović", "Salihović", "Omerović", "Suljić", "Ibrahimović",
        "Mujić", "Husić", "Karić", "Alić", "Avdić",
        "Bešić", "Ćosić", "Dedić", "Fazlić", "Halilović",
        "Hamzić", "Imamović", "Jahić", "Kadrić", "Ljajić",
        "Mahmutović", "Mehić", "Muratović", "Mustafić", "Nurković",
        "Osmanović", "Pašić", "Ramić", "Smajić", "Softić",
        "Šabanović", "Tahirović", "Zukić", "Agović", "Kurtović",
        "Hamidović", "Redžepović",
    ),
    "macedonian": (
        "Petrovski", "Nikolovski", "Stojanov", "Jovanovski", "Trajkovski",
        "Dimitrovski", "Stojanovski", "Ristovski", "Angelovski", "Georgievski",
        "Kostovski", "Stefanovski", "Todorovski", "Mitrevski", "Spasovski",
        "Pavlovski", "Ilievski", "Popovski", "Markovski", "Velkovski",
        "Janevski", "Naumovski", "Zdravkovski", "Blazhevski", "Jankulovski",
        "Kocev", "Stojkov", "Trajkov", "Dimov", "Atanasov",
        "Nikolov", "Ivanov", "Petrov", "Mitev", "Gjorgjiev",
        "Angelov", "Iliev", "Manev", "Arsov", "Kostov",
        "Velkov", "Panov", "Stefanov",
    ),
    "roma": (
        "Bajramović", "Demirović", "Redžepović", "Memedović", "Asanović",
        "Durmišević", "Jakupović", "Ramadanović", "Sejdić", "Mustafić",
        "Alijević", "Jusufović", "Salijević", "Osmani", "Saiti",
        "Useini", "Bislimi", "Ajdari", "Kurteši", "Memeti",
        "Demiri", "Bekteši", "Kamberi", "Zećiri", "Šaćiri",
        "Ibraimi", "Ramadani", "Rustemi", "Sulejmani", "Abdulai",
        "Ajeti", "Rašiti", "Stojanović", "Jovanović", "Nikolić",
        "Mitrović", "Đurđević", "Stanković", "Kostić", "Mladenović",
        "Selimović", "Šerifović",
    ),
    "croatian": (
        "Horvat", "Kovačević", "Babić", "Marić", "Jurić",
        "Novak", "Kovačić", "Knežević", "Vuković", "Marković",
        "Petrović", "Matić", "Tomić", "Pavlović", "Kovač",
        "Božić", "Blažević", "Grgić", "Pavić", "Radić",
        "Perić", "Filipović", "Šarić", "Lovrić", "Vidović",
        "Perković", "Bošnjak", "Jukić", "Barišić", "Bašić",
        "Mandić", "Brkić", "Galić", "Klarić", "Mlinarić",
        "Pranjić", "Vrdoljak", "Zorić", "Šimić", "Dulić",
        "Vojnić", "Kujundžić", "Stantić", "Vidaković",
    ),
    "montenegrin": (
        "Popović", "Vujović", "Radulović", "Vuković", "Marković",
        "Perović", "Šćepanović", "Bulatović", "Đurović", "Radović",
        "Jovanović", "Kovačević", "Lakić", "Mijušković", "Nikolić",
        "Pejović", "Rakočević", "Vukčević", "Vujošević", "Bošković",
        "Milić", "Raičević", "Đurišić", "Mugoša", "Vučinić",
        "Lazović", "Jovović", "Laković", "Kaluđerović", "Lalević",
        "Vujačić", "Bojović", "Zečević", "Šaranović", "Knežević",
        "Dragović", "Živković", "Pavićević", "Vukotić", "Bećirović",
        "Radonjić", "Pavlović",
    ),
    "turkish": (
        "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik",
        "Yıldız", "Yıldırım", "Öztürk", "Aydın", "Özdemir",
        "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin",
        "Kara", "Koç", "Kurt", "Özkan", "Şimşek",
        "Polat", "Korkmaz", "Özer", "Güneş", "Aksoy",
        "Tekin", "Akın", "Taş", "Ateş", "Karaca",
        "Bulut", "Ünal", "Güler", "Keskin", "Avcı",
        "Yavuz", "Kaplan", "Turan", "Uçar", "Aktaş",
        "Bayram", "Tuna",
    ),
    "gorani": (
        "Ademović", "Azemović", "Bajramović", "Halilović", "Idrizović",
        "Jašarević", "Kadrijević", "Memedović", "Nazifović", "Omerović",
        "Šerifović", "Tahirović", "Kamberović", "Rustemović", "Ferizović",
        "Emini", "Ferati", "Hasani", "Imeri", "Isufi",
        "Ljatifi", "Murati", "Ramadani", "Redžepi", "Sabriu",
        "Sadiki", "Sulejmani", "Veseli", "Zenuni", "Zećiri",
        "Ajdini", "Bećiri", "Dauti", "Ejupi", "Hajdari",
        "Ismaili", "Jakupi", "Mehmedi", "Nuredini", "Osmani",
        "Šaćiri", "Tairi", "Zulfiji",
    ),
}
# fmt: on

SETTLEMENTS: tuple[str, ...] = (
    "Centar",
    "Novo naselje",
    "Donja mahala",
    "Gornja mahala",
    "Staro selo",
    "Industrijska zona",
    "Rečni kraj",
    "Sunčana strana",
    "Vinogradi",
    "Kod mlina",
    "Lipov gaj",
    "Železnička kolonija",
    "Brdo",
    "Ravnica",
    "Zeleni breg",
)

SCHOOL_NAMES: tuple[str, ...] = (
    "OŠ \u201eSunce\u201d",
    "OŠ \u201eDunav\u201d",
    "OŠ \u201eNaša škola\u201d",
    "OŠ \u201eDuga\u201d",
    "Shkolla \u201eArdhmëria\u201d",
    "OU \u201eMladost\u201d",
)

# Macedonian feminine family-name endings, checked in order (longest first).
_MACEDONIAN_FEMININE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ski", "ska"),
    ("cki", "cka"),
    ("ov", "ova"),
    ("ev", "eva"),
)


def _check_community(community: str) -> None:
    if community not in GIVEN_NAMES:
        raise ValueError(f"unknown community: {community!r}")


def _check_gender(gender: str) -> None:
    if gender not in GENDERS:
        raise ValueError(f"gender must be one of {GENDERS}, got {gender!r}")


def family_name_for(community: str, base: str, gender: str) -> str:
    """Return the gender-appropriate form of a base (masculine) family name.

    Only Macedonian family names inflect for gender here
    (-ski -> -ska, -ov -> -ova, -ev -> -eva); all other communities use the
    same form for everyone.
    """
    _check_community(community)
    _check_gender(gender)
    if community != "macedonian" or gender != "female":
        return base
    for masculine, feminine in _MACEDONIAN_FEMININE_SUFFIXES:
        if base.endswith(masculine):
            return base[: -len(masculine)] + feminine
    return base


def full_name(community: str, gender: str, rng: random.Random) -> tuple[str, str]:
    """Draw a synthetic ``(given, family)`` name pair using ``rng``.

    The result depends only on the state of ``rng``, so a seeded
    :class:`random.Random` yields reproducible demo data.
    """
    _check_community(community)
    _check_gender(gender)
    given = rng.choice(GIVEN_NAMES[community][gender])
    base = rng.choice(FAMILY_NAMES[community])
    return given, family_name_for(community, base, gender)
