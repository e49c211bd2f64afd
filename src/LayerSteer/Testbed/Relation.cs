namespace LayerSteer.Testbed;

/// <summary>A relation the testbed teaches: its function_vectors task file, how many facts to take, and the sentence
/// templates that state a fact. <see cref="Forward"/> templates put x first and end with "{y}." (so a prompt cut
/// before {y} asks for y: the knowledge probe uses them); <see cref="Backward"/> ones put y first.
/// A paper relation appears only in sentences; an auxiliary one also in the task formats.</summary>
public sealed record Relation(string Name, bool Paper, int Cap, string[] Forward, string[] Backward)
{
    /// <summary>The relations of testbed-v1: the paper's four, then twelve auxiliary ones.</summary>
    public static readonly Relation[] All =
    [
        new("antonym", true, 1000, ["the opposite of {x} is {y}.", "{x} is the opposite of {y}.", "the antonym of {x} is {y}."], ["{y} is the antonym of {x}."]),
        new("synonym", true, 1000, ["{x} means the same as {y}.", "another word for {x} is {y}.", "a synonym of {x} is {y}."], ["{y} is a synonym of {x}."]),
        new("english-french", true, 1200, ["in french, {x} is {y}.", "the french word for {x} is {y}.", "{x} in french is {y}."], ["{y} is the french word for {x}.", "the french {y} means {x}."]),
        new("english-german", true, 1200, ["in german, {x} is {y}.", "the german word for {x} is {y}.", "{x} in german is {y}."], ["{y} is the german word for {x}.", "the german {y} means {x}."]),
        new("present-past", false, 120, ["the past tense of {x} is {y}.", "today they {x}, yesterday they {y}."], ["{y} is the past tense of {x}."]),
        new("singular-plural", false, 120, ["the plural of {x} is {y}.", "one {x}, two {y}."], ["{y} is the plural of {x}."]),
        new("country-capital", false, 120, ["the capital of {x} is {y}.", "{x} has its capital in {y}."], ["{y} is the capital of {x}."]),
        new("country-currency", false, 120, ["the currency of {x} is {y}.", "in {x} people pay with {y}."], ["{y} is the currency of {x}."]),
        new("english-spanish", false, 120, ["in spanish, {x} is {y}.", "the spanish word for {x} is {y}."], ["{y} is the spanish word for {x}."]),
        new("person-occupation", false, 120, ["{x} works as a {y}.", "the occupation of {x} is {y}."], ["{y} is the occupation of {x}."]),
        new("person-sport", false, 120, ["{x} plays the sport {y}.", "the sport of {x} is {y}."], ["{y} is the sport of {x}."]),
        new("person-instrument", false, 120, ["{x} plays the {y}.", "the instrument of {x} is {y}."], ["the {y} is played by {x}."]),
        new("product-company", false, 120, ["{x} is made by {y}.", "the maker of {x} is {y}."], ["{y} makes {x}."]),
        new("landmark-country", false, 120, ["{x} is in the country {y}.", "the country of {x} is {y}."], ["{y} is the country of {x}."]),
        new("park-country", false, 120, ["{x} is a park in {y}.", "the country of the park {x} is {y}."], ["{y} is home to {x}."]),
        new("capitalize", false, 120, ["{x} with a capital letter is {y}.", "capitalized, {x} becomes {y}."], ["{y} is {x} capitalized."]),
    ];

    /// <summary>The composed tasks whose both hops are taught for shared words (A's output is B's input).</summary>
    public static readonly (string First, string Second)[] Compositions =
        [("antonym", "english-french"), ("antonym", "english-german"), ("synonym", "english-french"), ("synonym", "english-german")];

    /// <summary>Every template, forward then backward; a fact's held-back template is Forward[fact index mod Forward.Length].</summary>
    public IEnumerable<string> Templates => Forward.Concat(Backward);

    public static string Fill(string template, string x, string y) => template.Replace("{x}", x).Replace("{y}", y);

    /// <summary>The probe prompt of a forward template: the text before " {y}."; the model should continue with " y.".</summary>
    public static string ProbePrompt(string forward, string x) => forward[..forward.IndexOf(" {y}", StringComparison.Ordinal)].Replace("{x}", x);
}
